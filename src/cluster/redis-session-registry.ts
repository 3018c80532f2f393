import type { Redis } from "ioredis";
import {
  SessionRegistryUnavailableError,
  type SessionRecord,
  type SessionRegistry,
} from "../mcp/session-registry.js";

/**
 * The session registry in Redis: one hash per session, expiring `ttlMs` after it was last seen, so
 * sessions nobody ends disappear on their own. Every failure of Redis becomes a
 * SessionRegistryUnavailableError the routes answer with 503.
 */
export class RedisSessionRegistry implements SessionRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async save(record: SessionRecord, ttlMs: number): Promise<void> {
    const key = this.key(record.sessionId);
    await this.guard(
      this.redis
        .multi()
        .hset(key, {
          owner: record.owner,
          ...(record.quotaKey === undefined ? {} : { quotaKey: record.quotaKey }),
          protocolVersion: record.protocolVersion,
          clientCapabilities: JSON.stringify(record.clientCapabilities),
          clientInfo: JSON.stringify(record.clientInfo),
          createdAt: String(record.createdAt),
          lastSeen: String(record.lastSeen),
        })
        .pexpire(key, ttlMs)
        .exec(),
    );
  }

  async find(sessionId: string): Promise<SessionRecord | undefined> {
    const fields = await this.guard(this.redis.hgetall(this.key(sessionId)));
    if (fields.owner === undefined || fields.protocolVersion === undefined) return undefined;
    return {
      sessionId,
      owner: fields.owner,
      ...(fields.quotaKey === undefined ? {} : { quotaKey: fields.quotaKey }),
      protocolVersion: fields.protocolVersion,
      clientCapabilities: parseObject(fields.clientCapabilities),
      clientInfo: clientInfoOf(parseObject(fields.clientInfo)),
      createdAt: Number(fields.createdAt),
      lastSeen: Number(fields.lastSeen),
    };
  }

  async touch(sessionId: string, now: number, ttlMs: number): Promise<boolean> {
    const key = this.key(sessionId);
    // PEXPIRE answers 0 for a key that is gone: the session ended or expired.
    const renewed = await this.guard(this.redis.pexpire(key, ttlMs));
    if (renewed === 0) return false;
    await this.guard(this.redis.hset(key, "lastSeen", String(now)));
    return true;
  }

  async remove(sessionId: string): Promise<void> {
    await this.guard(this.redis.del(this.key(sessionId)));
  }

  private key(sessionId: string): string {
    return `${this.prefix}session:${sessionId}`;
  }

  private async guard<T>(command: Promise<T>): Promise<T> {
    try {
      return await command;
    } catch (error) {
      throw new SessionRegistryUnavailableError(
        `The session registry (Redis) did not answer: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }
}

function parseObject(text: string | undefined): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text ?? "{}");
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function clientInfoOf(value: Record<string, unknown>): { name: string; version: string } {
  return {
    name: typeof value.name === "string" ? value.name : "unknown",
    version: typeof value.version === "string" ? value.version : "0",
  };
}
