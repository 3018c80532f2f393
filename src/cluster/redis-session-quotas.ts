import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { MemorySessionQuotas, type SessionQuotas, type SlotDecision } from "../mcp/session-quotas.js";

/** Redis's clock in ms, so replicas whose clocks differ agree on which slots have expired. */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Drops expired slots, then takes one unless the caller holds `limit`: in one script, so two
 * replicas admitting the same caller at once cannot both take its last slot. Refused: answers the
 * ms until the caller's first slot expires.
 */
const ACQUIRE = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(first[2]) - now)
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 0
`;

/** Moves a slot's expiry (and the set's) one idle timeout ahead; adds it when `ARGV[3]` is "add". */
const RENEW = `${NOW}
if ARGV[3] == 'add' then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
else
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0
`;

export interface RedisSessionQuotasOptions {
  readonly redis: Redis;
  readonly prefix: string;
  /** A slot nobody renews expires after this (the session idle timeout): a dead replica's too. */
  readonly ttlMs: number;
  readonly logger: Logger;
}

/**
 * Session slots shared by every replica: one sorted set per caller, a member per session scored
 * with its expiry, renewed whenever the session is used on any replica. A replica that dies holds
 * its callers' slots only until they expire. While Redis does not answer, each replica counts in
 * its own memory (a caller gets the share of each replica) rather than refusing every initialize.
 */
export class RedisSessionQuotas implements SessionQuotas {
  private readonly fallback = new MemorySessionQuotas();
  /** When this replica last renewed each session it holds, so a busy session renews once a beat. */
  private readonly renewedAt = new Map<string, number>();
  private readonly renewEveryMs: number;

  constructor(private readonly options: RedisSessionQuotasOptions) {
    // A slot may expire this much before its session's record: far below any useful idle timeout.
    this.renewEveryMs = Math.min(1000, options.ttlMs / 4);
  }

  async acquire(quotaKey: string, sessionId: string, limit: number): Promise<SlotDecision> {
    const { redis, ttlMs } = this.options;
    try {
      const waitMs = Number(await redis.eval(ACQUIRE, 1, this.key(quotaKey), sessionId, limit, ttlMs));
      if (waitMs > 0) return { acquired: false, freesInMs: waitMs };
      this.renewedAt.set(sessionId, Date.now());
      return { acquired: true };
    } catch (error) {
      this.options.logger.warn(
        { err: error },
        "session shares in redis did not answer; this replica counts the caller's sessions alone",
      );
      return this.fallback.acquire(quotaKey, sessionId, limit);
    }
  }

  renew(quotaKey: string, sessionId: string): void {
    if (Date.now() - (this.renewedAt.get(sessionId) ?? Number.NEGATIVE_INFINITY) < this.renewEveryMs) return;
    this.run(quotaKey, sessionId, "renew");
  }

  adopt(quotaKey: string, sessionId: string): void {
    this.run(quotaKey, sessionId, "add");
  }

  dropped(quotaKey: string, sessionId: string): void {
    // The session may be served by another replica next: its shared slot lives until it expires.
    this.renewedAt.delete(sessionId);
    this.fallback.dropped(quotaKey, sessionId);
  }

  ended(quotaKey: string, sessionId: string): void {
    this.renewedAt.delete(sessionId);
    this.fallback.ended(quotaKey, sessionId);
    this.options.redis.zrem(this.key(quotaKey), sessionId).catch((error: unknown) => {
      this.options.logger.warn({ err: error }, "freeing a session slot in redis failed; it expires instead");
    });
  }

  private run(quotaKey: string, sessionId: string, mode: "renew" | "add"): void {
    const { redis, ttlMs, logger } = this.options;
    this.renewedAt.set(sessionId, Date.now());
    // Not awaited: a slot renewed late (or not at all while Redis is away) only expires sooner.
    redis.eval(RENEW, 1, this.key(quotaKey), sessionId, ttlMs, mode).catch((error: unknown) => {
      logger.debug({ err: error }, "renewing a session slot in redis failed");
    });
  }

  private key(quotaKey: string): string {
    return `${this.options.prefix}session-slots:${quotaKey}`;
  }
}
