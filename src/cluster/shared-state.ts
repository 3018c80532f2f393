import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { RedisConfig } from "../../config/redis.js";
import { HealthMonitor } from "../health/health-monitor.js";
import type { RateLimiterBackend } from "../limits/rate-budget.js";
import type { SessionManagerOptions } from "../mcp/session-manager.js";
import { createRedisClient, redisHealthProbe, waitForRedis } from "./redis-client.js";
import { EventBus } from "./event-bus.js";
import { RedisEventHistory } from "./redis-event-history.js";
import { redisRateLimiterBackend } from "./redis-rate-limiter.js";
import { RedisSessionQuotas } from "./redis-session-quotas.js";
import { RedisSessionRegistry } from "./redis-session-registry.js";
import { RedisSessionStreams } from "./redis-session-streams.js";
import { ReplicaLiveness } from "./replica-liveness.js";

/** What replicas share, handed to the MCP endpoint, with its readiness check and its cleanup. */
export interface SharedState {
  readonly sessions: Pick<SessionManagerOptions, "registry" | "streamsFor" | "quotas"> | undefined;
  /** Where rate limits count: Redis, so replicas share each caller's budget; absent: in memory. */
  readonly rateLimiterBackend: RateLimiterBackend | undefined;
  readonly readiness: HealthMonitor | undefined;
  close(): Promise<void>;
}

export interface SharedStateOptions {
  readonly config: RedisConfig;
  readonly logger: Logger;
  readonly probeIntervalMs: number;
  /** Bounds of each session's SSE event history, and its expiry (the session idle timeout). */
  readonly eventHistory: { readonly count: number; readonly bytes: number; readonly ttlMs: number };
}

/** In memory without REDIS_URL (nothing shared); with it, the session registry in Redis. */
export async function createSharedState(options: SharedStateOptions): Promise<SharedState> {
  const { config, logger } = options;
  if (config.url === undefined) {
    return {
      sessions: undefined,
      rateLimiterBackend: undefined,
      readiness: undefined,
      close: () => Promise.resolve(),
    };
  }
  const redis = createRedisClient({ ...config, url: config.url }, logger, "commands");
  const subscriber = createRedisClient({ ...config, url: config.url }, logger, "events");
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
  const history = new RedisEventHistory(redis, config.keyPrefix, {
    count: Math.max(1, options.eventHistory.count),
    bytes: options.eventHistory.bytes,
    ttlMs: options.eventHistory.ttlMs,
  });
  const liveness = new ReplicaLiveness({
    redis,
    history,
    prefix: config.keyPrefix,
    heartbeatMs: config.heartbeatMs,
    logger,
  });
  liveness.start();
  const deps = { history, bus: new EventBus(subscriber, logger), liveness, logger };
  return {
    sessions: {
      registry: new RedisSessionRegistry(redis, config.keyPrefix),
      streamsFor: (sessionId) => new RedisSessionStreams(deps, sessionId),
      quotas: new RedisSessionQuotas({
        redis,
        prefix: config.keyPrefix,
        ttlMs: options.eventHistory.ttlMs,
        logger,
      }),
    },
    rateLimiterBackend: redisRateLimiterBackend(redis, config.keyPrefix, () => {
      logger.warn("rate limits in redis did not answer; this replica counts each caller's budget alone");
    }),
    readiness,
    async close() {
      readiness.stop();
      await liveness.stop();
      await Promise.all([quit(redis), quit(subscriber)]);
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
