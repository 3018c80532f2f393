import type { Redis } from "ioredis";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/**
 * Appends one event to a session's stream, trims the oldest while the history holds more than
 * the count or byte bound (always keeping the newest), renews the expiry, and publishes the event
 * on the session's channel: all in one script, so the bounds hold and no subscriber misses an
 * event that is in the history.
 */
const APPEND = `
local id = redis.call('XADD', KEYS[1], '*', 's', ARGV[1], 'm', ARGV[2])
local bytes = redis.call('INCRBY', KEYS[2], #ARGV[2])
local maxCount = tonumber(ARGV[3])
local maxBytes = tonumber(ARGV[4])
while redis.call('XLEN', KEYS[1]) > 1 and (redis.call('XLEN', KEYS[1]) > maxCount or (maxBytes > 0 and bytes > maxBytes)) do
  local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
  redis.call('XDEL', KEYS[1], oldest[1])
  bytes = redis.call('DECRBY', KEYS[2], #oldest[2][4])
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('PUBLISH', KEYS[3], cjson.encode({r = ARGV[6], i = id, s = ARGV[1], m = ARGV[2]}))
return id
`;

/** What a session's channel carries: who stored the event, its id, its stream, the message. */
export interface PublishedEvent {
  readonly r: string;
  readonly i: string;
  readonly s: string;
  readonly m: string;
}

export interface EventHistoryLimits {
  /** Events kept per session (SSE_EVENT_HISTORY). */
  readonly count: number;
  /** Bytes of messages kept per session (SSE_EVENT_HISTORY_BYTES); 0: no byte bound. */
  readonly bytes: number;
  /** The history expires this long after its last event (the session idle timeout). */
  readonly ttlMs: number;
}

/** Redis stream ids ("ms-seq") in order. */
export function compareEventIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split("-").map(Number);
  const [bMs = 0, bSeq = 0] = b.split("-").map(Number);
  return aMs === bMs ? aSeq - bSeq : aMs - bMs;
}

const EVENT_ID = /^\d{1,20}-\d{1,20}$/;

/** The SSE event history of every session, as Redis Streams (one per session). */
export class RedisEventHistory {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limits: EventHistoryLimits,
  ) {}

  /** The pub/sub channel that carries a session's new events. */
  channel(sessionId: string): string {
    return `${this.prefix}session-events:${sessionId}`;
  }

  async append(
    sessionId: string,
    streamId: string,
    message: JSONRPCMessage,
    producer: string,
  ): Promise<string> {
    const keys = [
      this.streamKey(sessionId),
      `${this.prefix}event-bytes:${sessionId}`,
      this.channel(sessionId),
    ];
    const args = [
      streamId,
      JSON.stringify(message),
      String(this.limits.count),
      String(this.limits.bytes),
      String(this.limits.ttlMs),
      producer,
    ];
    return String(await this.redis.eval(APPEND, keys.length, ...keys, ...args));
  }

  /** The stream an event belongs to, or undefined when the id is malformed, unknown or trimmed. */
  async streamOf(sessionId: string, eventId: string): Promise<string | undefined> {
    if (!EVENT_ID.test(eventId)) return undefined;
    const entries = await this.redis.xrange(this.streamKey(sessionId), eventId, eventId, "COUNT", 1);
    return fieldsOf(entries[0]?.[1]).streamId;
  }

  /** The events stored after `eventId`, oldest first. */
  async after(
    sessionId: string,
    eventId: string,
  ): Promise<{ eventId: string; streamId: string; message: string }[]> {
    const entries = await this.redis.xrange(this.streamKey(sessionId), `(${eventId}`, "+");
    return entries.map(([id, fields]) => ({ eventId: id, ...fieldsOf(fields) }));
  }

  private streamKey(sessionId: string): string {
    return `${this.prefix}events:${sessionId}`;
  }
}

function fieldsOf(fields: string[] | undefined): { streamId: string; message: string } {
  return { streamId: fields?.[1] ?? "", message: fields?.[3] ?? "{}" };
}
