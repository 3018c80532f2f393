import { z } from "zod";
import { urlWithProtocol, wholeNumber } from "./env-values.js";

/** A redis:// or rediss:// URL (credentials, database number and port are the URL's own). */
const redisUrl = urlWithProtocol(
  ["redis:", "rediss:"],
  'expected a Redis URL such as "redis://127.0.0.1:6379" or "rediss://user:secret@host:6380/0"',
);

/**
 * Shared state for replicas. REDIS_URL unset: everything stays in this process (one server).
 * Set: the session registry, the SSE event history and the routing of server→client messages live
 * in Redis, so any replica behind a load balancer serves any request of any session.
 */
export const redisEnvShape = {
  REDIS_URL: redisUrl.optional(),
  REDIS_CONNECT_TIMEOUT_MS: wholeNumber(100, 60_000).default(2000),
  REDIS_COMMAND_TIMEOUT_MS: wholeNumber(50, 60_000).default(1000),
  REDIS_KEY_PREFIX: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, { error: "expected 1 to 64 letters, digits or : _ . -" })
    .default("mcp:"),
  /** How often a replica says it is alive; a replica silent for 3 beats is dead. */
  REPLICA_HEARTBEAT_MS: wholeNumber(100, 60_000).default(1000),
};

type RedisEnv = z.output<z.ZodObject<typeof redisEnvShape>>;

/** The part of Config about Redis. */
export type RedisConfig = Readonly<{
  url: string | undefined;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  keyPrefix: string;
  heartbeatMs: number;
}>;

/** Maps the validated variables to RedisConfig, frozen. */
export function redisConfigFrom(v: RedisEnv): RedisConfig {
  return Object.freeze({
    url: v.REDIS_URL,
    connectTimeoutMs: v.REDIS_CONNECT_TIMEOUT_MS,
    commandTimeoutMs: v.REDIS_COMMAND_TIMEOUT_MS,
    keyPrefix: v.REDIS_KEY_PREFIX,
    heartbeatMs: v.REPLICA_HEARTBEAT_MS,
  });
}
