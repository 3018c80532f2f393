import type { EventId, EventStore, StreamId } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { EventHistoryBudget, EventHistoryOwner } from "./event-history-budget.js";

interface StoredEvent {
  readonly id: EventId;
  readonly streamId: StreamId;
  readonly message: JSONRPCMessage;
  readonly bytes: number;
}

/** The event id a client resumes from is not (or no longer) held: answered 400, not 503. */
export class EventIdExpiredError extends Error {
  override readonly name = "EventIdExpiredError";
  constructor(eventId: string) {
    super(`Event ${eventId} is unknown or was pushed out of the event history`);
  }
}

/** How much history one session keeps, and the budget all sessions share. */
export interface EventStoreBounds {
  /** The newest this many events at most. */
  readonly maxEvents: number;
  /** And at most this many bytes of serialized messages (an event bigger than that is not kept). */
  readonly maxBytes: number;
  /** The ceiling over every session's history; the oldest event anywhere goes first. */
  readonly shared?: EventHistoryBudget;
}

/**
 * The SSE events of one session, kept so a client that lost its stream can resume with
 * Last-Event-ID. Bounded by count and by bytes, and within a total shared by all sessions: the
 * oldest events are evicted, so a chatty session cannot grow memory; `dispose` drops them all
 * when the session ends.
 */
export class BoundedEventStore implements EventStore, EventHistoryOwner {
  private readonly events = new Map<EventId, StoredEvent>();
  private sequence = 0;
  private bytes = 0;

  constructor(private readonly bounds: EventStoreBounds) {}

  storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    this.sequence += 1;
    const id = `${this.sequence.toString(36)}.${streamId}`;
    // UTF-16 length is close to the UTF-8 size and costs no second pass over the message.
    const bytes = JSON.stringify(message).length;
    if (bytes > this.bounds.maxBytes) return Promise.resolve(id);
    this.events.set(id, { id, streamId, message, bytes });
    this.bytes += bytes;
    // Map keeps insertion order, so the first key is always the oldest event.
    while (this.events.size > this.bounds.maxEvents || this.bytes > this.bounds.maxBytes) {
      const oldest = this.events.keys().next();
      if (oldest.done === true) break;
      this.evict(oldest.value);
    }
    this.bounds.shared?.charge(this, id, bytes);
    return Promise.resolve(id);
  }

  evict(eventId: EventId): boolean {
    const event = this.events.get(eventId);
    if (event === undefined) return false;
    this.events.delete(eventId);
    this.bytes -= event.bytes;
    this.bounds.shared?.release(event.bytes);
    return true;
  }

  holds(eventId: EventId): boolean {
    return this.events.has(eventId);
  }

  /** Drops every event (the session ended), returning their bytes to the shared budget. */
  dispose(): void {
    for (const eventId of [...this.events.keys()]) this.evict(eventId);
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

  /** Bytes of serialized messages currently held. */
  get heldBytes(): number {
    return this.bytes;
  }
}
