import type { EventId, EventStore, StreamId } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

interface StoredEvent {
  readonly id: EventId;
  readonly streamId: StreamId;
  readonly message: JSONRPCMessage;
}

/** The event id a client resumes from is not (or no longer) held: answered 400, not 503. */
export class EventIdExpiredError extends Error {
  override readonly name = "EventIdExpiredError";
  constructor(eventId: string) {
    super(`Event ${eventId} is unknown or was pushed out of the event history`);
  }
}

/**
 * The SSE events of one session, kept so a client that lost its stream can resume with
 * Last-Event-ID. Bounded: only the newest `capacity` events are kept, so a chatty session cannot
 * grow memory; it is dropped with its session.
 */
export class BoundedEventStore implements EventStore {
  private readonly events = new Map<EventId, StoredEvent>();
  private sequence = 0;

  constructor(private readonly capacity: number) {}

  storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    this.sequence += 1;
    const id = `${this.sequence.toString(36)}.${streamId}`;
    this.events.set(id, { id, streamId, message });
    // Map keeps insertion order, so the first key is always the oldest event.
    while (this.events.size > this.capacity) {
      const oldest = this.events.keys().next();
      if (oldest.done === true) break;
      this.events.delete(oldest.value);
    }
    return Promise.resolve(id);
  }

  getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return Promise.resolve(this.events.get(eventId)?.streamId);
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const last = this.events.get(lastEventId);
    if (last === undefined) throw new EventIdExpiredError(lastEventId);
    let after = false;
    for (const event of this.events.values()) {
      if (after && event.streamId === last.streamId) await send(event.id, event.message);
      if (event.id === lastEventId) after = true;
    }
    return last.streamId;
  }

  /** Events currently held (for tests and memory accounting). */
  get size(): number {
    return this.events.size;
  }
}
