import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, type IRateLimiterOptions } from "rate-limiter-flexible";
import type { RateLimiterBackend } from "../limits/rate-budget.js";

/** A warning at most this often while Redis stays away, so an outage does not flood the log. */
const WARN_EVERY_MS = 30_000;

/**
 * Rate limits counted in Redis, so every replica spends from one budget per caller. While Redis
 * does not answer, each replica counts in its own memory (rate-limiter-flexible's insurance
 * limiter): callers stay limited, each replica to the full budget, and nobody is refused for the
 * limiter's outage. See docs/decisions/0146-rate-limits-and-session-shares-in-redis.md.
 */
export function redisRateLimiterBackend(
  redis: Redis,
  prefix: string,
  onFallback: () => void,
  now: () => number = Date.now,
): RateLimiterBackend {
  let warnedAt = Number.NEGATIVE_INFINITY;
  const warn = () => {
    if (now() - warnedAt < WARN_EVERY_MS) return;
    warnedAt = now();
    onFallback();
  };
  return (options) =>
    new RateLimiterRedis({
      ...options,
      storeClient: redis,
      keyPrefix: `${prefix}${options.keyPrefix ?? "rate"}`,
      // Not connected: count in memory at once instead of waiting for the command timeout.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new CountingFallback(options, warn),
    });
}

/** The in-memory insurance limiter, telling the server each time it has to stand in for Redis. */
class CountingFallback extends RateLimiterMemory {
  constructor(
    options: IRateLimiterOptions,
    private readonly onUse: () => void,
  ) {
    super(options);
  }

  override consume(
    ...args: Parameters<RateLimiterMemory["consume"]>
  ): ReturnType<RateLimiterMemory["consume"]> {
    this.onUse();
    return super.consume(...args);
  }
}
