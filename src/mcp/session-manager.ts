/*
 * Why this file is over 300 lines: it is the one owner of a session's life — admission (in all
 * and per caller), construction (fresh at initialize, or rebuilt from the shared registry on
 * another replica), use, idle and lifetime expiry, and close — and those steps share the session
 * map and its counters. Its collaborators carry their own parts: session-quotas.ts,
 * session-negotiation.ts, session-restore.ts, session-registry.ts.
 */
import { randomUUID } from "node:crypto";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Logger } from "pino";
import { NETWORK_TRANSPORT } from "../observability/metric-labels.js";
import type { Metrics } from "../observability/metrics.js";
import type { EventStore } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { RequestObserver } from "./request-observer.js";
import { negotiatedVersion } from "./session-negotiation.js";
import { MemorySessionQuotas, type SessionQuotas } from "./session-quotas.js";
import { adoptSession, type InitializeParams } from "./session-restore.js";
import type { SessionRecord, SessionRegistry } from "./session-registry.js";
import type { SharedStreams } from "./transport/shared-streams.js";
import { StreamableHttpTransport } from "./transport/streamable-http-transport.js";

/** One open MCP session: its transport, its server, who opened it, and when it was last used. */
export interface Session {
  readonly transport: StreamableHttpTransport;
  readonly server: McpServer;
  /** Who opened it (see sessionOwnerOf): only the same principal may use it. */
  readonly owner: string;
  /** Whose quota it counts against: the owner, or for anonymous callers their address. */
  readonly quotaKey: string;
  /** Frees what the session holds besides its server (its event history). */
  readonly dispose: () => void;
  lastActivity: number;
  /** POSTs being served: only these keep an idle session alive (a held GET stream does not). */
  inFlight: number;
  /** When initialize registered it, for mcp_server_session_duration_seconds. */
  readonly openedAt: number;
  /** The protocol version initialize negotiated ("" until it is answered). */
  readonly protocolVersion: () => string;
}

/** A new session admitted: the id it will have, and whose share its slot is taken from. */
export interface SessionAdmission {
  readonly sessionId: string;
  readonly quotaKey: string;
}

/** Why a new session was refused, and when the client may try again. */
export interface SessionRefusal {
  /** capacity: the server is full; principal_capacity: this caller holds its share already. */
  readonly reason: "capacity" | "principal_capacity" | "draining";
  readonly retryAfterSeconds: number;
}

export interface SessionManagerOptions {
  readonly createServer: () => McpServer;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Told of every request a session serves (timing, metrics). */
  readonly observer: RequestObserver;
  readonly idleTimeoutMs: number;
  /** A session ends this long after initialize however busy it is; clients re-initialize on 404. */
  readonly maxLifetimeMs: number;
  readonly maxSessions: number;
  /** Sessions one quota key may hold, below maxSessions so no caller can take every slot. */
  readonly maxSessionsPerPrincipal: number;
  readonly jsonResponse: boolean;
  readonly streamAfterMs: number;
  readonly sseRetryMs: number;
  /** Builds each session's in-memory SSE event store (bounded by count and bytes); none when absent. */
  readonly createEventStore?: () => EventStore & { dispose(): void };
  readonly now?: () => number;
  /**
   * Where sessions are known beyond this process (Redis, for replicas): a session opened on
   * another replica is rebuilt here from its record. Absent: this process's sessions only.
   */
  readonly registry?: SessionRegistry;
  /**
   * The event store of one session and the part of its streams other replicas share (Redis, for
   * replicas); when set it replaces createEventStore.
   */
  readonly streamsFor?: (sessionId: () => string | undefined) => EventStore & SharedStreams;
  /** Each caller's session slots: this process's by default, Redis's for replicas. */
  readonly quotas?: SessionQuotas;
}

/** What a session's streams are built with: its event store, what replicas share, how to free it. */
interface SessionStreams {
  readonly eventStore?: EventStore;
  readonly shared?: SharedStreams;
  readonly dispose: () => void;
}

/**
 * Stateful mode: one transport and one server per session, created on initialize. Sessions that
 * clients never DELETE expire after an idle timeout (a held GET stream does not count as use) or at
 * their maximum lifetime, and their number is capped in all and per caller, so memory stays bounded
 * and one caller cannot lock the others out.
 */
export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  /** Sessions being initialized: they count against the cap before they have an id. */
  private pending = 0;
  private readonly quotas: SessionQuotas;
  /** Sessions being rebuilt from the registry, so concurrent requests rebuild them once. */
  private readonly restoring = new Map<string, Promise<Session | undefined>>();
  private sweeper: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: SessionManagerOptions) {
    this.now = options.now ?? Date.now;
    this.quotas = options.quotas ?? new MemorySessionQuotas();
  }

  get size(): number {
    return this.sessions.size;
  }

  get(sessionId: string): Session | undefined {
    return this.sessions.get(sessionId);
  }

  /** Starts the idle sweep; the timer never keeps the process alive on its own. */
  start(): void {
    const shortest = Math.min(this.options.idleTimeoutMs, this.options.maxLifetimeMs);
    const interval = Math.max(250, Math.min(30_000, Math.floor(shortest / 4)));
    this.sweeper = setInterval(() => {
      void this.expireIdle();
    }, interval);
    this.sweeper.unref();
  }

  /**
   * Refuses a new session for `quotaKey` when the server is full or the caller holds its share,
   * telling the client when a slot really frees: the earliest idle expiry or end of lifetime.
   * Admitted, the session counts as pending and holds its caller's slot: `open` it next.
   */
  async admit(draining: boolean, quotaKey: string): Promise<SessionRefusal | SessionAdmission> {
    if (draining) return { reason: "draining", retryAfterSeconds: 5 };
    if (this.sessions.size + this.pending >= this.options.maxSessions) {
      return { reason: "capacity", retryAfterSeconds: this.secondsUntilFree(undefined) };
    }
    // Counted before the slot is asked for, so concurrent initializes cannot overfill the server.
    this.pending += 1;
    const sessionId = randomUUID();
    const slot = await this.quotas.acquire(quotaKey, sessionId, this.options.maxSessionsPerPrincipal);
    if (slot.acquired) return { sessionId, quotaKey };
    this.pending -= 1;
    const retryAfterSeconds =
      slot.freesInMs === undefined
        ? this.secondsUntilFree(quotaKey)
        : Math.max(1, Math.ceil(slot.freesInMs / 1000));
    return { reason: "principal_capacity", retryAfterSeconds };
  }

  /**
   * Creates the transport and server for an admitted initialize request by `owner`. The session
   * is registered only once the transport has issued its id; call `release` after the request if
   * it was not.
   */
  async open(
    owner: string,
    admission: SessionAdmission,
  ): Promise<{ transport: StreamableHttpTransport; release: () => Promise<void> }> {
    const { sessionId, quotaKey } = admission;
    let settled = false;
    const settle = (registered: boolean) => {
      if (!settled) {
        settled = true;
        this.pending -= 1;
        if (!registered) this.quotas.ended(quotaKey, sessionId);
      }
    };
    const { server, transport, streams } = await this.build({ owner, quotaKey, sessionId }, undefined, () => {
      settle(true);
      this.options.metrics.sessionsCreated.inc();
    });
    return {
      transport,
      release: async () => {
        settle(transport.sessionId !== undefined);
        if (transport.sessionId === undefined) {
          streams.dispose();
          await server.close();
        }
      },
    };
  }

  /**
   * The session with this id, for a request about to use it: with a registry, the session must
   * still be registered (another replica may have ended it) and one opened elsewhere is rebuilt
   * here. Throws SessionRegistryUnavailableError when the registry cannot be asked.
   */
  async lookup(sessionId: string): Promise<Session | undefined> {
    const registry = this.options.registry;
    const local = this.sessions.get(sessionId);
    if (registry === undefined) return local;
    if (!(await registry.touch(sessionId, this.now(), this.options.idleTimeoutMs))) {
      if (local !== undefined) await this.dropLocal(sessionId, local, "ended on another replica");
      return undefined;
    }
    if (local !== undefined) {
      this.quotas.renew(local.quotaKey, sessionId);
      return local;
    }
    let restoring = this.restoring.get(sessionId);
    if (restoring === undefined) {
      restoring = this.restore(registry, sessionId).finally(() => this.restoring.delete(sessionId));
      this.restoring.set(sessionId, restoring);
    }
    return restoring;
  }

  /** Marks a POST on a session as started; the returned function marks it finished. */
  touch(session: Session): () => void {
    session.inFlight += 1;
    session.lastActivity = this.now();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      session.inFlight -= 1;
      session.lastActivity = this.now();
    };
  }

  /**
   * Marks use that is not work in flight (a GET stream opening or closing, a DELETE): it moves the
   * idle clock but never keeps the session from expiring, so a held stream cannot pin a slot.
   */
  seen(session: Session): void {
    session.lastActivity = this.now();
  }

  /**
   * Closes sessions idle for longer than the timeout (no POST in flight; a held GET stream does not
   * count) or past their lifetime, which ends their streams too; returns how many were closed.
   */
  async expireIdle(): Promise<number> {
    const now = this.now();
    const due = [...this.sessions.entries()].filter(([, session]) => this.expiresAt(session) <= now);
    for (const [sessionId, session] of due) {
      this.sessions.delete(sessionId);
      this.release(sessionId, session);
      this.observeEnd(session);
      this.options.metrics.sessionsExpired.inc();
      const atLifetime = now >= session.openedAt + this.options.maxLifetimeMs;
      this.options.logger.info(
        { mcp_session_id: sessionId },
        atLifetime ? "session expired at its maximum lifetime" : "session expired after idle timeout",
      );
      await session.server.close().catch((error: unknown) => {
        this.options.logger.warn({ err: error, mcp_session_id: sessionId }, "closing expired session failed");
      });
    }
    return due.length;
  }

  /** Closes every session (shutdown) and stops the sweep. */
  async closeAll(): Promise<void> {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    const all = [...this.sessions.entries()];
    this.sessions.clear();
    for (const [sessionId, session] of all) {
      this.release(sessionId, session);
      this.observeEnd(session);
    }
    await Promise.allSettled(all.map(([, session]) => session.server.close()));
  }

  /** Seconds until the first session (of `quotaKey`, or of anyone) expires, at least 1. */
  private secondsUntilFree(quotaKey: string | undefined): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const session of this.sessions.values()) {
      if (quotaKey === undefined || session.quotaKey === quotaKey) {
        earliest = Math.min(earliest, this.expiresAt(session));
      }
    }
    // Only sessions still initializing: they finish within a request.
    const waitMs = Number.isFinite(earliest) ? earliest - this.now() : 1000;
    return Math.max(1, Math.ceil(waitMs / 1000));
  }

  /** When the sweep will close `session` if nothing more happens on it. */
  private expiresAt(session: Session): number {
    const endOfLife = session.openedAt + this.options.maxLifetimeMs;
    if (session.inFlight > 0) return endOfLife;
    return Math.min(endOfLife, session.lastActivity + this.options.idleTimeoutMs);
  }

  /**
   * Rebuilds a session another replica opened: a server told it is already initialized. It counts
   * against its owner's share here from now on.
   */
  private async restore(registry: SessionRegistry, sessionId: string): Promise<Session | undefined> {
    const record = await registry.find(sessionId);
    if (record === undefined) return undefined;
    const existing = this.sessions.get(sessionId);
    if (existing !== undefined) return existing;
    const quotaKey = record.quotaKey ?? record.owner;
    this.quotas.adopt(quotaKey, sessionId);
    const { transport } = await this.build(
      { owner: record.owner, quotaKey, sessionId },
      record,
      () => undefined,
    );
    adoptSession(transport, record);
    this.options.logger.info({ mcp_session_id: sessionId }, "session restored from the registry");
    return this.sessions.get(sessionId);
  }

  /**
   * The server and transport of one session, registered here once it has an id: at initialize
   * (`restored` absent), or at once for a session rebuilt from its record.
   */
  private async build(
    { owner, quotaKey, sessionId: id }: { owner: string; quotaKey: string; sessionId: string },
    restored: SessionRecord | undefined,
    onOpened: () => void,
  ): Promise<{ server: McpServer; transport: StreamableHttpTransport; streams: SessionStreams }> {
    const server = this.options.createServer();
    const negotiation = negotiatedVersion(this.options.observer, (params, version) => {
      this.register(transport, { owner, quotaKey }, params, version);
    });
    if (restored !== undefined) negotiation.restore(restored.protocolVersion);
    const streams = this.streams(() => transport.sessionId);
    const transport: StreamableHttpTransport = new StreamableHttpTransport({
      // Chosen at admission, so the caller's slot is named by the session it is for.
      sessionIdGenerator: () => id,
      jsonOnly: this.options.jsonResponse,
      streamAfterMs: this.options.streamAfterMs,
      ...(streams.eventStore === undefined ? {} : { eventStore: streams.eventStore }),
      ...(streams.shared === undefined ? {} : { shared: streams.shared }),
      retryIntervalMs: this.options.sseRetryMs,
      observer: negotiation.observer,
      onsessioninitialized: (sessionId) => {
        onOpened();
        const now = this.now();
        this.sessions.set(sessionId, {
          transport,
          server,
          owner,
          quotaKey,
          dispose: streams.dispose,
          lastActivity: now,
          inFlight: 0,
          openedAt: restored?.createdAt ?? now,
          protocolVersion: negotiation.version,
        });
        if (restored === undefined) this.options.logger.info({ mcp_session_id: sessionId }, "session opened");
      },
      onsessionclosed: (sessionId) => {
        this.forget(sessionId, "deleted by client");
        this.quotas.ended(quotaKey, sessionId);
        this.options.registry?.remove(sessionId).catch((error: unknown) => {
          this.options.logger.warn(
            { err: error, mcp_session_id: sessionId },
            "removing the session record failed",
          );
        });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) this.forget(transport.sessionId, "transport closed");
    };
    transport.onerror = (error) => {
      this.options.logger.warn({ err: error, mcp_session_id: transport.sessionId }, "transport error");
    };
    await server.connect(transport);
    return { server, transport, streams };
  }

  private streams(sessionId: () => string | undefined): SessionStreams {
    if (this.options.streamsFor !== undefined) {
      // The shared stream expires with the session's record in Redis; nothing to free here.
      const streams = this.options.streamsFor(sessionId);
      return { eventStore: streams, shared: streams, dispose: () => undefined };
    }
    const eventStore = this.options.createEventStore?.();
    return { eventStore, dispose: () => eventStore?.dispose() };
  }

  /** Records a freshly negotiated session in the registry, before its answer goes out. */
  private register(
    transport: StreamableHttpTransport,
    { owner, quotaKey }: { owner: string; quotaKey: string },
    params: InitializeParams,
    version: string,
  ): void {
    const sessionId = transport.sessionId;
    const registry = this.options.registry;
    if (sessionId === undefined || registry === undefined) return;
    const now = this.now();
    const record: SessionRecord = {
      sessionId,
      owner,
      quotaKey,
      protocolVersion: version,
      ...params,
      createdAt: now,
      lastSeen: now,
    };
    registry.save(record, this.options.idleTimeoutMs).catch((error: unknown) => {
      this.options.logger.warn({ err: error, mcp_session_id: sessionId }, "registering the session failed");
    });
  }

  private async dropLocal(sessionId: string, session: Session, why: string): Promise<void> {
    this.forget(sessionId, why);
    await session.server.close().catch(() => undefined);
  }

  private forget(sessionId: string, why: string): void {
    const session = this.sessions.get(sessionId);
    if (session !== undefined && this.sessions.delete(sessionId)) {
      this.release(sessionId, session);
      this.observeEnd(session);
      this.options.logger.info({ mcp_session_id: sessionId, why }, "session closed");
    }
  }

  /** Gives this process's hold on the session's slot up and drops its event history. */
  private release(sessionId: string, session: Session): void {
    this.quotas.dropped(session.quotaKey, sessionId);
    session.dispose();
  }

  private observeEnd(session: Session): void {
    this.options.metrics.sessionDuration.observe(
      { mcp_protocol_version: session.protocolVersion(), network_transport: NETWORK_TRANSPORT },
      (this.now() - session.openedAt) / 1000,
    );
  }
}
