import { z } from "zod";

/**
 * The key that signs requestState, the state a stateless (2026) client carries between the
 * rounds of a call that asks the user. Unset: a random key per process, which works as long as
 * one process serves every round; replicas behind a load balancer need the same key.
 */
export const requestStateShape = {
  MCP_REQUEST_STATE_KEY: z
    .string()
    .refine((value) => Buffer.byteLength(value, "utf8") >= 32, {
      error: "expected a secret of at least 32 bytes (e.g. `openssl rand -base64 48`)",
    })
    .optional(),
  MCP_REQUEST_STATE_TTL_SECONDS: z
    .string()
    .trim()
    .regex(/^\d+$/, { error: "expected a whole number of seconds from 10 to 86400" })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(10, { error: "expected a whole number of seconds from 10 to 86400" })
        .max(86_400, { error: "expected a whole number of seconds from 10 to 86400" }),
    )
    .default(600),
};

/** The part of Config these variables map to. */
export interface RequestStateConfig {
  readonly requestState: Readonly<{ key: string | undefined; ttlSeconds: number }>;
}

export function requestStateConfig(values: {
  MCP_REQUEST_STATE_KEY?: string | undefined;
  MCP_REQUEST_STATE_TTL_SECONDS: number;
}): RequestStateConfig {
  return {
    requestState: Object.freeze({
      key: values.MCP_REQUEST_STATE_KEY,
      ttlSeconds: values.MCP_REQUEST_STATE_TTL_SECONDS,
    }),
  };
}
