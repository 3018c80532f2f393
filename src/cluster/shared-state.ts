import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { RedisConfig } from "../../config/redis.js";
import { HealthMonitor } from "../health/health-monitor.js";
import type { SessionManagerOptions } from "../mcp/session-manager.js";
import { createRedisClient, redisHealthProbe, waitForRedis } from "./redis-client.js";
import { RedisSessionRegistry } from "./redis-session-registry.js";

/** What replicas share, handed to the MCP endpoint, with its readiness check and its cleanup. */
export interface SharedState {
  readonly sessions: Pick<SessionManagerOptions, "registry" | "eventStoreFor"> | undefined;
  readonly readiness: HealthMonitor | undefined;
  close(): Promise<void>;
}

export interface SharedStateOptions {
  readonly config: RedisConfig;
  readonly logger: Logger;
  readonly probeIntervalMs: number;
}

/** In memory without REDIS_URL (nothing shared); with it, the session registry in Redis. */
export async function createSharedState(options: SharedStateOptions): Promise<SharedState> {
  const { config, logger } = options;
  if (config.url === undefined) {
    return { sessions: undefined, readiness: undefined, close: () => Promise.resolve() };
  }
  const redis = createRedisClient({ ...config, url: config.url }, logger, "commands");
  if (!(await waitForRedis(redis, config.connectTimeoutMs))) {
    logger.warn("redis is not reachable yet; sessions answer 503 until it is");
  }
  const readiness = new HealthMonitor({
    name: "redis",
    probe: redisHealthProbe(redis),
    intervalMs: options.probeIntervalMs,
    logger,
  });
  await readiness.start();
  return {
    sessions: { registry: new RedisSessionRegistry(redis, config.keyPrefix) },
    readiness,
    async close() {
      readiness.stop();
      await quit(redis);
    },
  };
}

/** Closes a connection politely, or at once when Redis is not there to answer QUIT. */
export async function quit(redis: Redis): Promise<void> {
  if (redis.status !== "ready") {
    redis.disconnect();
    return;
  }
  await redis.quit().catch(() => {
    redis.disconnect();
  });
}
