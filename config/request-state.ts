import { z } from "zod";
import { wholeNumber } from "./env-values.js";

/**
 * The key that signs requestState, the state a stateless (2026) client carries between the
 * rounds of a call that asks the user, and how long one stays valid. Unset key: a random key per
 * process, which works as long as one process serves every round; replicas behind a load
 * balancer need the same key.
 */
export const requestStateEnvShape = {
  MCP_REQUEST_STATE_KEY: z
    .string()
    .refine((value) => Buffer.byteLength(value, "utf8") >= 32, {
      error: "expected a secret of at least 32 bytes (e.g. `openssl rand -base64 48`)",
    })
    .optional(),
  MCP_REQUEST_STATE_TTL_SECONDS: wholeNumber(10, 86_400).default(600),
};

type RequestStateEnv = z.output<z.ZodObject<typeof requestStateEnvShape>>;

/** The part of Config about requestState. */
export type RequestStateConfig = Readonly<{ key: string | undefined; ttlSeconds: number }>;

/** Maps the validated variables to RequestStateConfig, frozen. */
export function requestStateConfigFrom(v: RequestStateEnv): RequestStateConfig {
  return Object.freeze({ key: v.MCP_REQUEST_STATE_KEY, ttlSeconds: v.MCP_REQUEST_STATE_TTL_SECONDS });
}
