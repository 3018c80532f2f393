import type { Principal } from "../tools/tool-definition.js";
import type { ApiKeyStore } from "./api-key-store.js";
import { looksLikeApiKey } from "./api-key.js";
import type { AuthFailureReason } from "./auth-failure.js";
import type { BearerError } from "./challenge.js";
import type { JwtVerifier, VerifiedToken } from "./jwt-verifier.js";
import { BASE_SCOPE } from "./permissions.js";

/** The outcome of authenticating one request. */
export type Authentication =
  { readonly kind: "anonymous" } | { readonly kind: "principal"; readonly principal: Principal } | Refusal;

/** A refused request: the HTTP status, the counted reason, and what the client and the log are told. */
export interface Refusal {
  readonly kind: "refused";
  readonly status: 401 | 403 | 503;
  /** Undefined for a refusal that is not the client's fault (the authorization server is unreachable). */
  readonly reason: AuthFailureReason | undefined;
  readonly bearerError: BearerError | undefined;
  readonly description: string;
  readonly detail: string;
}

const ANONYMOUS: Authentication = Object.freeze({ kind: "anonymous" });
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Decides who is calling from the Authorization header: an API key (`rmcp_…`), a JWT access token
 * of the configured issuer, or nobody (allowed only when anonymous callers are). API keys are
 * checked synchronously; only a JWT whose keys must first be fetched waits.
 */
export class Authenticator {
  constructor(
    private readonly options: {
      readonly keys: ApiKeyStore | undefined;
      readonly jwt: JwtVerifier | undefined;
      readonly anonymousAllowed: boolean;
    },
  ) {}

  get anonymousAllowed(): boolean {
    return this.options.anonymousAllowed;
  }

  authenticate(authorization: string | undefined): Authentication | Promise<Authentication> {
    // Nothing to check credentials against: everyone is anonymous (the server only starts this way
    // on loopback or with AUTH_ALLOW_ANONYMOUS), and a client that sends a token anyway still works.
    if (this.options.keys === undefined && this.options.jwt === undefined) return ANONYMOUS;
    if (authorization === undefined || !/^bearer(\s|$)/i.test(authorization)) {
      // No credentials, or another scheme (RFC 6750 §3: then no error code either).
      if (this.options.anonymousAllowed) return ANONYMOUS;
      return refusal(
        401,
        "missing",
        undefined,
        "this server needs credentials",
        describeMissing(authorization),
      );
    }
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) {
      return refusal(
        401,
        "invalid",
        "invalid_token",
        "the Authorization header is malformed",
        "not Bearer <token>",
      );
    }
    if (looksLikeApiKey(token)) {
      if (this.options.keys === undefined) {
        return refusal(
          401,
          "invalid",
          "invalid_token",
          "API keys are not accepted here",
          "no AUTH_API_KEYS_FILE",
        );
      }
      const verdict = this.options.keys.verify(token);
      return verdict.ok
        ? { kind: "principal", principal: verdict.principal }
        : refusal(401, verdict.reason, "invalid_token", verdict.description, verdict.detail);
    }
    if (this.options.jwt === undefined) {
      return refusal(
        401,
        "invalid",
        "invalid_token",
        "the token is not an API key of this server",
        "not an API key",
      );
    }
    return this.options.jwt.verify(token).then((verdict): Authentication => {
      if (verdict.ok) return fromToken(verdict);
      if (verdict.reason === "unavailable") {
        return refusal(503, undefined, undefined, verdict.description, verdict.detail);
      }
      return refusal(401, verdict.reason, "invalid_token", verdict.description, verdict.detail);
    });
  }
}

/** A token without the base scope may not use the server; its other scopes are permissions. */
function fromToken(token: VerifiedToken): Authentication {
  if (!token.scopes.has(BASE_SCOPE)) {
    return refusal(
      403,
      "insufficient_scope",
      "insufficient_scope",
      `the access token lacks the '${BASE_SCOPE}' scope`,
      `scopes: ${[...token.scopes].join(" ") || "(none)"}; subject ${token.subject}`,
    );
  }
  const permissions = new Set(token.scopes);
  permissions.delete(BASE_SCOPE);
  return {
    kind: "principal",
    principal: {
      id: token.subject,
      permissions,
      authenticatedBy: "oauth",
      ...(token.clientId === undefined ? {} : { credentialId: token.clientId }),
    },
  };
}

function refusal(
  status: Refusal["status"],
  reason: Refusal["reason"],
  bearerError: BearerError | undefined,
  description: string,
  detail: string,
): Refusal {
  return { kind: "refused", status, reason, bearerError, description, detail };
}

function describeMissing(authorization: string | undefined): string {
  if (authorization === undefined) return "no Authorization header";
  return `Authorization scheme ${authorization.split(" ", 1)[0] ?? ""} is not Bearer`;
}
