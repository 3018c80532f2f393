import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Redis } from "ioredis";
import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "pino";
import { replicaLostError } from "../mcp/transport/transport-refusals.js";
import type { RedisEventHistory } from "./redis-event-history.js";

/** A replica missing this many heartbeats in a row is dead. */
const MISSED_BEATS = 3;

export interface ReplicaLivenessOptions {
  readonly redis: Redis;
  readonly history: RedisEventHistory;
  readonly prefix: string;
  readonly heartbeatMs: number;
  readonly logger: Logger;
}

/**
 * Heartbeats and the requests in flight on each replica, so no call waits forever on a replica
 * that died. Every replica beats; every beat, it also looks for replicas whose heartbeat expired
 * and answers their in-flight requests (claimed atomically by renaming their record, so exactly
 * one survivor answers) with a retryable error stored on the request's stream: the client that
 * resumes that stream on any replica gets it.
 */
export class ReplicaLiveness {
  readonly replicaId = `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;

  constructor(private readonly options: ReplicaLivenessOptions) {}

  start(): void {
    const tick = () => {
      this.beating ??= this.beat()
        .then(() => this.answerOrphans())
        .catch((error: unknown) => {
          this.options.logger.debug({ err: error }, "heartbeat failed; trying again on the next beat");
        })
        .finally(() => {
          this.beating = undefined;
        });
    };
    tick();
    this.timer = setInterval(tick, this.options.heartbeatMs);
    this.timer.unref();
  }

  /** A clean stop: no heartbeat left behind (our requests were answered by the shutdown). */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.beating;
    const { redis } = this.options;
    await Promise.allSettled([
      redis.del(this.key("replica", this.replicaId), this.key("inflight", this.replicaId)),
      redis.srem(this.key("replicas"), this.replicaId),
    ]);
  }

  /** Records a request in flight here; the returned function clears the record. */
  track(sessionId: string, streamId: string, requestId: RequestId): () => void {
    const field = JSON.stringify([sessionId, streamId, requestId]);
    const key = this.key("inflight", this.replicaId);
    const warn = (error: unknown) => {
      this.options.logger.warn(
        { err: error, mcp_session_id: sessionId },
        "recording a request in flight failed",
      );
    };
    const recorded = this.options.redis.hset(key, field, "1").catch(warn);
    return () => {
      void recorded.then(() => this.options.redis.hdel(key, field)).catch(warn);
    };
  }

  private async beat(): Promise<void> {
    const { redis, heartbeatMs } = this.options;
    await redis
      .multi()
      .set(this.key("replica", this.replicaId), String(process.pid), "PX", heartbeatMs * MISSED_BEATS)
      .sadd(this.key("replicas"), this.replicaId)
      .exec();
  }

  private async answerOrphans(): Promise<void> {
    const { redis } = this.options;
    for (const replica of await redis.smembers(this.key("replicas"))) {
      if (replica === this.replicaId || (await redis.exists(this.key("replica", replica))) === 1) continue;
      const claimed = this.key("orphans", replica, this.replicaId);
      const taken = await redis.rename(this.key("inflight", replica), claimed).then(
        () => true,
        () => false, // No in-flight record (or another survivor took it first).
      );
      if (taken) await this.answer(replica, claimed);
      await redis.srem(this.key("replicas"), replica);
    }
  }

  private async answer(replica: string, claimed: string): Promise<void> {
    const { redis, history, logger } = this.options;
    const fields = await redis.hkeys(claimed);
    for (const field of fields) {
      const [sessionId, streamId, requestId] = JSON.parse(field) as [string, string, RequestId];
      const answer: JSONRPCMessage = replicaLostError(requestId);
      await history.append(sessionId, streamId, answer, this.replicaId);
    }
    await redis.del(claimed);
    logger.warn(
      { dead_replica: replica, requests: fields.length },
      "answered the requests of a replica that stopped beating",
    );
  }

  private key(...parts: string[]): string {
    return `${this.options.prefix}${parts.join(":")}`;
  }
}
