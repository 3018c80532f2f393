import { randomUUID } from "node:crypto";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Logger } from "pino";
import { NETWORK_TRANSPORT } from "../observability/metric-labels.js";
import type { Metrics } from "../observability/metrics.js";
import type { EventStore } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { BoundedEventStore } from "./event-store.js";
import type { RequestObserver } from "./request-observer.js";
import { negotiatedVersion } from "./session-negotiation.js";
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
  lastActivity: number;
  inFlight: number;
  /** When initialize registered it, for mcp_server_session_duration_seconds. */
  readonly openedAt: number;
  /** The protocol version initialize negotiated ("" until it is answered). */
  readonly protocolVersion: () => string;
}

/** Why a new session was refused, and when the client may try again. */
export interface SessionRefusal {
  readonly reason: "capacity" | "draining";
  readonly retryAfterSeconds: number;
}

export interface SessionManagerOptions {
  readonly createServer: () => McpServer;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Told of every request a session serves (timing, metrics). */
  readonly observer: RequestObserver;
  readonly idleTimeoutMs: number;
  readonly maxSessions: number;
  readonly jsonResponse: boolean;
  readonly streamAfterMs: number;
  readonly sseRetryMs: number;
  readonly sseEventHistory: number;
  readonly now?: () => number;
  /**
   * Where sessions are known beyond this process (Redis, for replicas): a session opened on
   * another replica is rebuilt here from its record. Absent: this process's sessions only.
   */
  readonly registry?: SessionRegistry;
  /**
   * The event store of one session and the part of its streams other replicas share (Redis, for
   * replicas); the bounded in-memory store and nothing shared by default.
   */
  readonly streamsFor?: (sessionId: () => string | undefined) => EventStore & SharedStreams;
}

/**
 * Stateful mode: one transport and one server per session, created on initialize. Sessions that
 * clients never DELETE expire after an idle timeout, and their number is capped, so memory stays
 * bounded however many clients come and go.
 */
export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  /** Sessions being initialized: they count against the cap before they have an id. */
  private pending = 0;
  /** Sessions being rebuilt from the registry, so concurrent requests rebuild them once. */
  private readonly restoring = new Map<string, Promise<Session | undefined>>();
  private sweeper: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: SessionManagerOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.sessions.size;
  }

  get(sessionId: string): Session | undefined {
    return this.sessions.get(sessionId);
  }

  /** Starts the idle sweep; the timer never keeps the process alive on its own. */
  start(): void {
    const interval = Math.max(250, Math.min(30_000, Math.floor(this.options.idleTimeoutMs / 4)));
    this.sweeper = setInterval(() => {
      void this.expireIdle();
    }, interval);
    this.sweeper.unref();
  }

  /** Refuses a new session when full, telling the client when the oldest idle one will expire. */
  admit(draining: boolean): SessionRefusal | undefined {
    if (draining) return { reason: "draining", retryAfterSeconds: 5 };
    if (this.sessions.size + this.pending < this.options.maxSessions) return undefined;
    let oldest = Number.POSITIVE_INFINITY;
    for (const session of this.sessions.values()) {
      if (session.inFlight === 0) oldest = Math.min(oldest, session.lastActivity);
    }
    const waitMs = Number.isFinite(oldest)
      ? oldest + this.options.idleTimeoutMs - this.now()
      : this.options.idleTimeoutMs;
    return { reason: "capacity", retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /**
   * Creates the transport and server for an initialize request by `owner`. The session is
   * registered only once the transport has issued its id; call `release` after the request if it
   * was not.
   */
  async open(owner: string): Promise<{ transport: StreamableHttpTransport; release: () => Promise<void> }> {
    this.pending += 1;
    let settled = false;
    const settle = () => {
      if (!settled) {
        settled = true;
        this.pending -= 1;
      }
    };
    const { server, transport } = await this.build(owner, undefined, () => {
      settle();
      this.options.metrics.sessionsCreated.inc();
    });
    return {
      transport,
      release: async () => {
        settle();
        if (transport.sessionId === undefined) await server.close();
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
    if (local !== undefined) return local;
    let restoring = this.restoring.get(sessionId);
    if (restoring === undefined) {
      restoring = this.restore(registry, sessionId).finally(() => this.restoring.delete(sessionId));
      this.restoring.set(sessionId, restoring);
    }
    return restoring;
  }

  /** Marks a request on a session as started; the returned function marks it finished. */
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

  /** Closes sessions idle for longer than the timeout; returns how many were closed. */
  async expireIdle(): Promise<number> {
    const cutoff = this.now() - this.options.idleTimeoutMs;
    const idle = [...this.sessions.entries()].filter(
      ([, session]) => session.inFlight === 0 && session.lastActivity <= cutoff,
    );
    for (const [sessionId, session] of idle) {
      this.sessions.delete(sessionId);
      this.observeEnd(session);
      this.options.metrics.sessionsExpired.inc();
      this.options.logger.info({ mcp_session_id: sessionId }, "session expired after idle timeout");
      await session.server.close().catch((error: unknown) => {
        this.options.logger.warn({ err: error, mcp_session_id: sessionId }, "closing expired session failed");
      });
    }
    return idle.length;
  }

  /** Closes every session (shutdown) and stops the sweep. */
  async closeAll(): Promise<void> {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const session of all) this.observeEnd(session);
    await Promise.allSettled(all.map((session) => session.server.close()));
  }

  /** Rebuilds a session another replica opened: a server told it is already initialized. */
  private async restore(registry: SessionRegistry, sessionId: string): Promise<Session | undefined> {
    const record = await registry.find(sessionId);
    if (record === undefined) return undefined;
    const existing = this.sessions.get(sessionId);
    if (existing !== undefined) return existing;
    const { transport } = await this.build(record.owner, record, () => undefined);
    adoptSession(transport, record);
    this.options.logger.info({ mcp_session_id: sessionId }, "session restored from the registry");
    return this.sessions.get(sessionId);
  }

  /**
   * The server and transport of one session, registered here once it has an id: at initialize
   * (`restored` absent), or at once for a session rebuilt from its record.
   */
  private async build(
    owner: string,
    restored: SessionRecord | undefined,
    onOpened: () => void,
  ): Promise<{ server: McpServer; transport: StreamableHttpTransport }> {
    const server = this.options.createServer();
    const negotiation = negotiatedVersion(this.options.observer, (params, version) => {
      this.register(transport, owner, params, version);
    });
    if (restored !== undefined) negotiation.restore(restored.protocolVersion);
    const transport: StreamableHttpTransport = new StreamableHttpTransport({
      sessionIdGenerator: restored === undefined ? randomUUID : () => restored.sessionId,
      jsonOnly: this.options.jsonResponse,
      streamAfterMs: this.options.streamAfterMs,
      ...this.streams(() => transport.sessionId),
      retryIntervalMs: this.options.sseRetryMs,
      observer: negotiation.observer,
      onsessioninitialized: (sessionId) => {
        onOpened();
        const now = this.now();
        this.sessions.set(sessionId, {
          transport,
          server,
          owner,
          lastActivity: now,
          inFlight: 0,
          openedAt: restored?.createdAt ?? now,
          protocolVersion: negotiation.version,
        });
        if (restored === undefined) this.options.logger.info({ mcp_session_id: sessionId }, "session opened");
      },
      onsessionclosed: (sessionId) => {
        this.forget(sessionId, "deleted by client");
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
    return { server, transport };
  }

  private streams(sessionId: () => string | undefined): { eventStore?: EventStore; shared?: SharedStreams } {
    if (this.options.streamsFor !== undefined) {
      const streams = this.options.streamsFor(sessionId);
      return { eventStore: streams, shared: streams };
    }
    if (this.options.sseEventHistory === 0) return {};
    return { eventStore: new BoundedEventStore(this.options.sseEventHistory) };
  }

  /** Records a freshly negotiated session in the registry, before its answer goes out. */
  private register(
    transport: StreamableHttpTransport,
    owner: string,
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
      this.observeEnd(session);
      this.options.logger.info({ mcp_session_id: sessionId, why }, "session closed");
    }
  }

  private observeEnd(session: Session): void {
    this.options.metrics.sessionDuration.observe(
      { mcp_protocol_version: session.protocolVersion(), network_transport: NETWORK_TRANSPORT },
      (this.now() - session.openedAt) / 1000,
    );
  }
}
