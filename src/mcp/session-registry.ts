/** What any replica needs to serve a 2025 session it did not open. */
export interface SessionRecord {
  readonly sessionId: string;
  /** Who opened it (see sessionOwnerOf): only the same principal may use it. */
  readonly owner: string;
  /** Whose session share it counts against (the owner, or an anonymous caller's address). */
  readonly quotaKey?: string;
  /** The protocol version initialize negotiated. */
  readonly protocolVersion: string;
  /** The capabilities and identity the client declared at initialize. */
  readonly clientCapabilities: Record<string, unknown>;
  readonly clientInfo: { readonly name: string; readonly version: string };
  readonly createdAt: number;
  readonly lastSeen: number;
}

/** Raised when the registry cannot be reached: the request answers 503, never hangs. */
export class SessionRegistryUnavailableError extends Error {
  override readonly name = "SessionRegistryUnavailableError";
}

/**
 * Where sessions are known. In memory for one server; in Redis for replicas, so the load balancer
 * needs no stickiness. A record expires `ttlMs` after it was last seen.
 */
export interface SessionRegistry {
  save(record: SessionRecord, ttlMs: number): Promise<void>;
  /** The record, or undefined when the session never existed, ended or expired. */
  find(sessionId: string): Promise<SessionRecord | undefined>;
  /** Marks the session used now; false when it no longer exists. */
  touch(sessionId: string, now: number, ttlMs: number): Promise<boolean>;
  remove(sessionId: string): Promise<void>;
}

/** The registry of a single server: a map whose entries expire. */
export class MemorySessionRegistry implements SessionRegistry {
  private readonly records = new Map<string, { record: SessionRecord; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  save(record: SessionRecord, ttlMs: number): Promise<void> {
    this.records.set(record.sessionId, { record, expiresAt: this.now() + ttlMs });
    return Promise.resolve();
  }

  find(sessionId: string): Promise<SessionRecord | undefined> {
    return Promise.resolve(this.live(sessionId)?.record);
  }

  touch(sessionId: string, now: number, ttlMs: number): Promise<boolean> {
    const entry = this.live(sessionId);
    if (entry === undefined) return Promise.resolve(false);
    // `now` is what the record says; the expiry runs on this registry's own clock, as Redis's does.
    this.records.set(sessionId, {
      record: { ...entry.record, lastSeen: now },
      expiresAt: this.now() + ttlMs,
    });
    return Promise.resolve(true);
  }

  remove(sessionId: string): Promise<void> {
    this.records.delete(sessionId);
    return Promise.resolve();
  }

  private live(sessionId: string): { record: SessionRecord; expiresAt: number } | undefined {
    const entry = this.records.get(sessionId);
    if (entry !== undefined && entry.expiresAt <= this.now()) {
      this.records.delete(sessionId);
      return undefined;
    }
    return entry;
  }
}
