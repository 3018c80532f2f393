import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { RedisConfig } from "../../config/redis.js";
import type { CheckResult } from "../health/readiness.js";

/**
 * A Redis connection that never makes a caller wait for Redis to come back: with the offline
 * queue off, a command sent while disconnected fails at once (the request answers 503 with retry
 * guidance) instead of queueing behind a reconnect. ioredis reconnects on its own, every 500 ms at
 * most, so the server recovers without a restart.
 */
export function createRedisClient(
  config: RedisConfig & { url: string },
  logger: Logger,
  role: string,
): Redis {
  const client = new Redis(config.url, {
    connectTimeout: config.connectTimeoutMs,
    commandTimeout: config.commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(50 * attempt, 500),
    lazyConnect: false,
    connectionName: `resilient-mcp-${role}`,
  });
  let down = false;
  client.on("error", (error: Error) => {
    if (!down) logger.warn({ err: error, redis_role: role }, "redis connection failed; reconnecting");
    down = true;
  });
  client.on("ready", () => {
    if (down) logger.info({ redis_role: role }, "redis connection restored");
    down = false;
  });
  return client;
}

/** Readiness probe: Redis answers PING within the command timeout. */
export function redisHealthProbe(client: Redis): () => Promise<CheckResult> {
  return async () => {
    try {
      await client.ping();
      return { ok: true };
    } catch {
      return {
        ok: false,
        reason: "unreachable",
        message: "Redis does not answer (REDIS_URL): sessions and their events cannot be shared.",
      };
    }
  };
}

/** Waits until the first connection is up, or the deadline passes (the server starts anyway). */
export async function waitForRedis(client: Redis, ms: number): Promise<boolean> {
  if (client.status === "ready") return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off("ready", onReady);
      resolve(false);
    }, ms);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    client.once("ready", onReady);
  });
}
