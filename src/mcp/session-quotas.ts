/**
 * How many sessions each caller holds (open or being initialized), so the manager can keep one
 * caller below its share of the slots. Counted in this process: with replicas, each replica holds
 * each caller to the same share of its own slots.
 */
export class SessionQuotas {
  private readonly held = new Map<string, number>();

  count(quotaKey: string): number {
    return this.held.get(quotaKey) ?? 0;
  }

  /** Adds `delta` (+1 on open, -1 on close) to the caller's count. */
  add(quotaKey: string, delta: number): void {
    const count = this.count(quotaKey) + delta;
    if (count > 0) this.held.set(quotaKey, count);
    else this.held.delete(quotaKey);
  }
}
