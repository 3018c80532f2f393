import type { EventId, EventStore, StreamId } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "pino";
import { EventIdExpiredError } from "../mcp/event-store.js";
import type { SharedEvent, SharedStreams } from "../mcp/transport/shared-streams.js";
import type { EventBus } from "./event-bus.js";
import { compareEventIds, type PublishedEvent, type RedisEventHistory } from "./redis-event-history.js";
import type { ReplicaLiveness } from "./replica-liveness.js";

export interface SessionStreamsDeps {
  readonly history: RedisEventHistory;
  readonly bus: EventBus;
  readonly liveness: ReplicaLiveness;
  readonly logger: Logger;
}

/**
 * One session's streams as replicas share them: its events in Redis (so any replica replays them
 * for Last-Event-ID), new events passed on to whichever replica holds the client's connection,
 * and its requests in flight recorded for the survivors.
 */
export class RedisSessionStreams implements EventStore, SharedStreams {
  constructor(
    private readonly deps: SessionStreamsDeps,
    private readonly sessionId: () => string | undefined,
  ) {}

  storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    return this.deps.history.append(this.id(), streamId, message, this.deps.liveness.replicaId);
  }

  getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return this.deps.history.streamOf(this.id(), eventId);
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const streamId = await this.getStreamIdForEventId(lastEventId);
    if (streamId === undefined) throw new EventIdExpiredError(lastEventId);
    for (const event of await this.deps.history.after(this.id(), lastEventId)) {
      if (event.streamId === streamId) await send(event.eventId, JSON.parse(event.message) as JSONRPCMessage);
    }
    return streamId;
  }

  follow(
    streamId: string,
    afterEventId: string | undefined,
    deliver: (event: SharedEvent) => void,
  ): () => void {
    const sessionId = this.id();
    let last = afterEventId;
    let caughtUp = afterEventId === undefined;
    const early: PublishedEvent[] = [];
    const pass = (event: PublishedEvent) => {
      if (event.s !== streamId || (last !== undefined && compareEventIds(event.i, last) <= 0)) return;
      last = event.i;
      const message = JSON.parse(event.m) as JSONRPCMessage;
      // Priming events are stored as {}: an id to resume from, not a message.
      if (!("jsonrpc" in message)) return;
      deliver({ eventId: event.i, message, fromHere: event.r === this.deps.liveness.replicaId });
    };
    const listening = this.deps.bus.listen(this.deps.history.channel(sessionId), (event) => {
      if (caughtUp) pass(event);
      else early.push(event);
    });
    if (afterEventId !== undefined) {
      // Subscribed first, then read what was stored meanwhile: nothing falls in between.
      listening.subscribed
        .then(() => this.deps.history.after(sessionId, afterEventId))
        .then((stored) => {
          for (const event of stored) {
            pass({ r: "", i: event.eventId, s: event.streamId, m: event.message });
          }
        })
        .catch((error: unknown) => {
          this.deps.logger.warn(
            { err: error, mcp_session_id: sessionId },
            "following a shared stream failed",
          );
        })
        .finally(() => {
          caughtUp = true;
          for (const event of early.splice(0)) pass(event);
        });
    }
    return listening.stop;
  }

  track(streamId: string, requestId: RequestId): () => void {
    return this.deps.liveness.track(this.id(), streamId, requestId);
  }

  private id(): string {
    const sessionId = this.sessionId();
    if (sessionId === undefined) throw new Error("the session has no id yet");
    return sessionId;
  }
}
