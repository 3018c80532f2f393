import type { EventStore } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { SseStream } from "./sse-stream.js";

/**
 * The events of one logical SSE stream (a POST's answer, or the session's GET stream), which may
 * outlive the HTTP connection that carries it: with an event store every event is kept under an
 * id, and a client that lost the connection resumes on a new one with Last-Event-ID. Every
 * operation runs in order through one queue, so storing (asynchronous) never reorders events and
 * a replay never interleaves with new events.
 */
export class EventChannel {
  private connection: SseStream | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly streamId: string,
    private readonly store: EventStore | undefined,
    private readonly onError: (error: Error) => void,
  ) {}

  /** True while a live connection carries this channel. */
  get connected(): boolean {
    return this.connection?.isOpen === true;
  }

  /** Carries the channel on `connection` from now on. */
  attach(connection: SseStream): void {
    this.connection = connection;
  }

  /** Forgets `connection` if it is the one carrying the channel (it closed). */
  detach(connection: SseStream): void {
    if (this.connection === connection) this.connection = undefined;
  }

  /** Ends the live connection, if any; stored events stay for a resume. */
  hangUp(): void {
    this.connection?.end();
    this.connection = undefined;
  }

  /** Sends a resumable stream's first event: an id to resume from, before any data. */
  prime(retryMs: number | undefined): Promise<void> {
    return this.run(async () => {
      // The SDK's own transport stores an empty object for the priming event; replay skips it.
      const eventId = await this.stored({} as JSONRPCMessage);
      if (eventId !== undefined) this.connection?.prime(eventId, retryMs);
    });
  }

  /** Stores (when resumable) and writes one message, after everything queued before it. */
  emit(message: JSONRPCMessage): Promise<void> {
    return this.run(async () => {
      // Read the connection after storing: it may have changed (closed, resumed) meanwhile.
      const eventId = await this.stored(message);
      this.connection?.send(message, eventId);
    });
  }

  /**
   * Stores a message and returns its event id; undefined without a store, or when storing failed
   * (a shared store that is down): the message still goes out on the live connection, only without
   * an id to resume from, so a store outage never swallows an answer.
   */
  private async stored(message: JSONRPCMessage): Promise<string | undefined> {
    if (this.store === undefined) return undefined;
    try {
      return await this.store.storeEvent(this.streamId, message);
    } catch (error) {
      this.onError(error instanceof Error ? error : new Error(String(error)));
      return undefined;
    }
  }

  /**
   * Resumes the channel on a new connection: replays the events stored after `lastEventId`, then
   * carries the channel on it (`live`) or ends it (the stream's POST was answered in full). It runs
   * in the channel's queue, so no event slips in between the replay and the attach. The replay is
   * collected before the connection opens: a replay that fails (an expired id, a store error) goes
   * to `refuse` while the response can still carry an error status, instead of leaving the client
   * on an open stream that never delivers anything.
   */
  resume(
    lastEventId: string,
    handlers: {
      open: () => SseStream | undefined;
      refuse: (error: unknown) => void;
      live: boolean;
      /** Not live here: keeps the connection for events stored elsewhere instead of ending it. */
      follow?: (connection: SseStream, lastEventId: string) => void;
    },
  ): Promise<void> {
    return this.run(async () => {
      const replayed: { eventId: string; message: JSONRPCMessage }[] = [];
      try {
        if (this.store === undefined) throw new Error("This stream keeps no events to replay");
        await this.store.replayEventsAfter(lastEventId, {
          send: (eventId, message) => {
            // The priming event is stored as an empty object; it is not a message.
            if ("jsonrpc" in message) replayed.push({ eventId, message });
            return Promise.resolve();
          },
        });
      } catch (error) {
        handlers.refuse(error);
        return;
      }
      const connection = handlers.open();
      if (connection === undefined) return;
      for (const { eventId, message } of replayed) connection.send(message, eventId);
      const answered = replayed.some(({ message }) => "result" in message || "error" in message);
      if (handlers.live) this.connection = connection;
      else if (handlers.follow !== undefined && !answered) {
        handlers.follow(connection, replayed.at(-1)?.eventId ?? lastEventId);
      } else connection.end();
    });
  }

  /** Runs `task` after the tasks queued before it; `then` runs once all of them are done. */
  run(task: () => Promise<void> | void): Promise<void> {
    const next = this.queue.then(task).catch((error: unknown) => {
      this.onError(error instanceof Error ? error : new Error(String(error)));
    });
    this.queue = next;
    return next;
  }
}
