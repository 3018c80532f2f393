/**
 * How many tool calls each caller may have running at once; the rest of that caller's calls wait
 * their turn. Calls are small slices of event-loop work (a file read, a summary, a query), and the
 * loop runs whatever is queued in arrival order: without this, a caller with a hundred calls in
 * flight puts a hundred slices ahead of every other caller's one. With it, a flooding caller holds
 * at most `perCaller` slices in the queue, so another caller waits behind a few, not a hundred.
 */
export class CallerSlots {
  readonly #active = new Map<string, number>();
  readonly #waiting = new Map<string, ((release: () => void) => void)[]>();

  constructor(private readonly perCaller: number) {}

  /**
   * Waits for one of `key`'s slots, for at most `maxWaitMs` or until `signal` aborts. Resolves with
   * the function that gives the slot back, or undefined when no slot came in time (nothing held).
   */
  acquire(key: string, maxWaitMs: number, signal: AbortSignal): Promise<(() => void) | undefined> {
    const active = this.#active.get(key) ?? 0;
    if (active < this.perCaller) {
      this.#active.set(key, active + 1);
      return Promise.resolve(this.#releaser(key));
    }
    return new Promise((resolve) => {
      const queue = this.#waiting.get(key) ?? [];
      this.#waiting.set(key, queue);
      const finish = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", giveUp);
      };
      const grant = (release: () => void) => {
        finish();
        resolve(release);
      };
      const giveUp = () => {
        const index = queue.indexOf(grant);
        if (index >= 0) queue.splice(index, 1);
        if (queue.length === 0) this.#waiting.delete(key);
        finish();
        resolve(undefined);
      };
      const timer = setTimeout(giveUp, maxWaitMs);
      signal.addEventListener("abort", giveUp, { once: true });
      queue.push(grant);
    });
  }

  /** Gives the slot back: straight to the caller's next waiting call, or back to the pool. */
  #releaser(key: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const queue = this.#waiting.get(key);
      const next = queue?.shift();
      if (queue?.length === 0) this.#waiting.delete(key);
      if (next !== undefined) {
        next(this.#releaser(key));
        return;
      }
      const active = (this.#active.get(key) ?? 1) - 1;
      if (active > 0) this.#active.set(key, active);
      else this.#active.delete(key);
    };
  }
}
