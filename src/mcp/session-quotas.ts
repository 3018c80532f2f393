/** Whether a caller got a session slot, and if not, how long until its first slot frees, if known. */
export type SlotDecision =
  { readonly acquired: true } | { readonly acquired: false; readonly freesInMs?: number };

/**
 * The session slots each caller (quota key) holds, so the manager can keep one caller below its
 * share. A slot is named by the session id it is for. In memory, a caller's share is counted per
 * process; in Redis (replicas) it is counted across every replica.
 */
export interface SessionQuotas {
  /** Takes a slot for a session about to open, unless `quotaKey` already holds `limit`. */
  acquire(quotaKey: string, sessionId: string, limit: number): Promise<SlotDecision>;
  /** The session was used: its slot is kept for another idle timeout (shared counts expire). */
  renew(quotaKey: string, sessionId: string): void;
  /** This process now serves a session another replica opened. */
  adopt(quotaKey: string, sessionId: string): void;
  /** This process no longer holds the session (expiry, shutdown); it may live on elsewhere. */
  dropped(quotaKey: string, sessionId: string): void;
  /** The session is over everywhere (deleted by its client, or it never opened). */
  ended(quotaKey: string, sessionId: string): void;
}

/** The slots of one process: right for a single server, and Redis's stand-in while it is away. */
export class MemorySessionQuotas implements SessionQuotas {
  private readonly held = new Map<string, Set<string>>();

  count(quotaKey: string): number {
    return this.held.get(quotaKey)?.size ?? 0;
  }

  acquire(quotaKey: string, sessionId: string, limit: number): Promise<SlotDecision> {
    if (this.count(quotaKey) >= limit) return Promise.resolve({ acquired: false });
    this.adopt(quotaKey, sessionId);
    return Promise.resolve({ acquired: true });
  }

  renew(): void {
    // In one process a slot lasts as long as its session: nothing expires on its own.
  }

  adopt(quotaKey: string, sessionId: string): void {
    const slots = this.held.get(quotaKey) ?? new Set<string>();
    slots.add(sessionId);
    this.held.set(quotaKey, slots);
  }

  dropped(quotaKey: string, sessionId: string): void {
    this.ended(quotaKey, sessionId);
  }

  ended(quotaKey: string, sessionId: string): void {
    const slots = this.held.get(quotaKey);
    if (slots === undefined) return;
    slots.delete(sessionId);
    if (slots.size === 0) this.held.delete(quotaKey);
  }
}
