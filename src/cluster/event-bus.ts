import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { PublishedEvent } from "./redis-event-history.js";

type Listener = (event: PublishedEvent) => void;

/**
 * The one subscriber connection of a replica: channels are subscribed while some stream listens
 * to them and unsubscribed when the last one stops. ioredis subscribes again after a reconnect.
 */
export class EventBus {
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    private readonly subscriber: Redis,
    private readonly logger: Logger,
  ) {
    subscriber.on("message", (channel: string, payload: string) => {
      const listeners = this.listeners.get(channel);
      if (listeners === undefined) return;
      let event: PublishedEvent;
      try {
        event = JSON.parse(payload) as PublishedEvent;
      } catch {
        return;
      }
      for (const listener of listeners) listener(event);
    });
  }

  /** Listens to `channel`; resolves `subscribed` once Redis confirmed the subscription. */
  listen(channel: string, listener: Listener): { subscribed: Promise<void>; stop: () => void } {
    let listeners = this.listeners.get(channel);
    let subscribed: Promise<void> = Promise.resolve();
    if (listeners === undefined) {
      listeners = new Set();
      this.listeners.set(channel, listeners);
      const added = listeners;
      subscribed = this.subscriber.subscribe(channel).then(
        () => undefined,
        (error: unknown) => {
          // Redis is away: this stream gets no events from other replicas; the next one retries.
          this.logger.warn({ err: error }, "subscribing to a session's events failed");
          if (this.listeners.get(channel) === added) this.listeners.delete(channel);
        },
      );
    }
    listeners.add(listener);
    const set = listeners;
    return {
      subscribed,
      stop: () => {
        set.delete(listener);
        if (set.size > 0 || this.listeners.get(channel) !== set) return;
        this.listeners.delete(channel);
        this.subscriber.unsubscribe(channel).catch((error: unknown) => {
          this.logger.debug({ err: error }, "unsubscribing failed");
        });
      },
    };
  }
}
