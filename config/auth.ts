import { z } from "zod";
import { baseUrl, booleanFlag, commaList, urlWithProtocol, wholeNumber } from "./env-values.js";

/** Asymmetric signature algorithms a JWT access token may use; never "none" or an HMAC. */
export const JWT_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
] as const;

const permissionList = commaList.pipe(
  z.array(z.string().regex(/^[a-z][a-z0-9_.*-]*$/, { error: 'expected permissions like "project.create"' })),
);

/** An absolute http(s) URL kept verbatim: an issuer must equal the tokens' `iss` to the character. */
const issuerUrl = urlWithProtocol(
  ["https:", "http:"],
  'expected the authorization server\'s issuer URL, such as "https://auth.example.com"',
  true,
);

const algorithmList = commaList.pipe(
  z
    .array(z.enum(JWT_ALGORITHMS, { error: `expected algorithms among ${JWT_ALGORITHMS.join(", ")}` }))
    .min(1, { error: "expected at least one algorithm" }),
);

/** Who may call: API keys, OAuth 2.1 (this server as a resource server), the anonymous principal. */
export const authEnvShape = {
  AUTH_API_KEYS_FILE: z.string().trim().min(1).optional(),
  AUTH_ISSUER: issuerUrl.optional(),
  AUTH_AUDIENCE: z.string().trim().min(1).optional(),
  PUBLIC_URL: baseUrl.optional(),
  AUTH_JWT_ALGORITHMS: algorithmList.default(["RS256", "PS256", "ES256", "EdDSA"]),
  AUTH_CLOCK_TOLERANCE_SECONDS: wholeNumber(0, 300).default(30),
  AUTH_ALLOW_ANONYMOUS: booleanFlag.default(false),
  ANONYMOUS_PRINCIPAL: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._@-]{1,128}$/, { error: 'expected a plain principal id such as "anonymous"' })
    .default("anonymous"),
  ANONYMOUS_PERMISSIONS: permissionList.default([]),
};

type AuthEnv = z.output<z.ZodObject<typeof authEnvShape>>;

/** OAuth settings: whose tokens are accepted and for which audience. */
export type OAuthConfig = Readonly<{
  issuer: string;
  /** The `aud` tokens must carry; AUTH_AUDIENCE, else PUBLIC_URL + "/mcp" (unset when neither is). */
  audience: string | undefined;
  algorithms: readonly string[];
  clockToleranceSeconds: number;
}>;

/** The part of Config that decides who may call. */
export type AuthConfig = Readonly<{
  apiKeysFile: string | undefined;
  oauth: OAuthConfig | undefined;
  /** The base URL clients reach this server by; resource metadata URLs are built on it. */
  publicUrl: string | undefined;
  /** Serve calls without credentials even though keys or OAuth are configured, or on a public bind. */
  allowAnonymous: boolean;
  /** Who a call without credentials runs as; read-only unless permissions are granted here. */
  anonymous: Readonly<{ id: string; permissions: readonly string[] }>;
}>;

/** Maps the validated variables to AuthConfig, frozen. */
export function authConfigFrom(v: AuthEnv): AuthConfig {
  const audience = v.AUTH_AUDIENCE ?? (v.PUBLIC_URL === undefined ? undefined : `${v.PUBLIC_URL}/mcp`);
  return Object.freeze({
    apiKeysFile: v.AUTH_API_KEYS_FILE,
    oauth:
      v.AUTH_ISSUER === undefined
        ? undefined
        : Object.freeze({
            issuer: v.AUTH_ISSUER,
            audience,
            algorithms: Object.freeze([...v.AUTH_JWT_ALGORITHMS]),
            clockToleranceSeconds: v.AUTH_CLOCK_TOLERANCE_SECONDS,
          }),
    publicUrl: v.PUBLIC_URL,
    allowAnonymous: v.AUTH_ALLOW_ANONYMOUS,
    anonymous: Object.freeze({
      id: v.ANONYMOUS_PRINCIPAL,
      permissions: Object.freeze([...v.ANONYMOUS_PERMISSIONS]),
    }),
  });
}
