/** One stored event as the shared budget sees it: whose, which, how big. */
interface Charged {
  readonly owner: EventHistoryOwner;
  readonly eventId: string;
  readonly bytes: number;
}

/** A store whose events the shared budget may evict. */
export interface EventHistoryOwner {
  /** Drops the event if still held; returns whether it was. */
  evict(eventId: string): boolean;
  /** Whether the event is still held. */
  holds(eventId: string): boolean;
}

/**
 * The byte budget all sessions' SSE event histories share: when the total goes over, the oldest
 * event of any session is evicted first, so a busy server keeps the newest history of every
 * session instead of growing. Per-session bounds live in each store; this is the ceiling over all.
 */
export class EventHistoryBudget {
  private readonly queue: Charged[] = [];
  private head = 0;
  private used = 0;
  /** Events held by all stores: entries beyond these in the queue are gone already. */
  private live = 0;

  constructor(readonly totalBytes: number) {}

  /** Bytes currently held by all stores. */
  get usedBytes(): number {
    return this.used;
  }

  /** Records a stored event, then evicts the oldest events of any store until under the total. */
  charge(owner: EventHistoryOwner, eventId: string, bytes: number): void {
    this.queue.push({ owner, eventId, bytes });
    this.used += bytes;
    this.live += 1;
    while (this.used > this.totalBytes && this.head < this.queue.length) {
      const oldest = this.queue[this.head];
      this.head += 1;
      // The store reports the bytes back through `release` when it evicts.
      if (oldest !== undefined) oldest.owner.evict(oldest.eventId);
    }
    this.compact();
  }

  /** A store dropped an event (its own bound, eviction, or its session ended). */
  release(bytes: number): void {
    this.used -= bytes;
    this.live -= 1;
  }

  /**
   * Keeps the queue in proportion to the events really held: entries of events their store already
   * dropped are filtered out once they outnumber the live ones (amortised O(1) per event).
   */
  private compact(): void {
    const entries = this.queue.length - this.head;
    if (entries < 1024 || entries < this.live * 2) return;
    const kept = this.queue.slice(this.head).filter((entry) => entry.owner.holds(entry.eventId));
    this.queue.length = 0;
    this.queue.push(...kept);
    this.head = 0;
  }
}
