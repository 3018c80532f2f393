import { randomUUID } from "node:crypto";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Logger } from "pino";
import { NETWORK_TRANSPORT } from "../observability/metric-labels.js";
import type { Metrics } from "../observability/metrics.js";
import type { EventStore } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { RequestObserver } from "./request-observer.js";
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
  /** Builds each session's SSE event store (bounded by count and bytes); none when absent. */
  readonly createEventStore?: () => EventStore & { dispose(): void };
  readonly now?: () => number;
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
  /** Open and pending sessions per quota key. */
  private readonly held = new Map<string, number>();
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
   */
  admit(draining: boolean, quotaKey: string): SessionRefusal | undefined {
    if (draining) return { reason: "draining", retryAfterSeconds: 5 };
    if (this.sessions.size + this.pending >= this.options.maxSessions) {
      return { reason: "capacity", retryAfterSeconds: this.secondsUntilFree(undefined) };
    }
    if ((this.held.get(quotaKey) ?? 0) >= this.options.maxSessionsPerPrincipal) {
      return { reason: "principal_capacity", retryAfterSeconds: this.secondsUntilFree(quotaKey) };
    }
    return undefined;
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
   * Creates the transport and server for an initialize request by `owner`. The session is
   * registered only once the transport has issued its id; call `release` after the request if it
   * was not.
   */
  async open(
    owner: string,
    quotaKey: string = owner,
  ): Promise<{ transport: StreamableHttpTransport; release: () => Promise<void> }> {
    this.pending += 1;
    this.hold(quotaKey, 1);
    let settled = false;
    const settle = (registered: boolean) => {
      if (!settled) {
        settled = true;
        this.pending -= 1;
        if (!registered) this.hold(quotaKey, -1);
      }
    };
    const eventStore = this.options.createEventStore?.();
    const server = this.options.createServer();
    const negotiation = negotiatedVersion(this.options.observer);
    const transport: StreamableHttpTransport = new StreamableHttpTransport({
      sessionIdGenerator: randomUUID,
      jsonOnly: this.options.jsonResponse,
      streamAfterMs: this.options.streamAfterMs,
      eventStore,
      retryIntervalMs: this.options.sseRetryMs,
      observer: negotiation.observer,
      onsessioninitialized: (sessionId) => {
        settle(true);
        const now = this.now();
        this.sessions.set(sessionId, {
          transport,
          server,
          owner,
          quotaKey,
          dispose: () => eventStore?.dispose(),
          lastActivity: now,
          inFlight: 0,
          openedAt: now,
          protocolVersion: negotiation.version,
        });
        this.options.metrics.sessionsCreated.inc();
        this.options.logger.info({ mcp_session_id: sessionId }, "session opened");
      },
      onsessionclosed: (sessionId) => {
        this.forget(sessionId, "deleted by client");
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) this.forget(transport.sessionId, "transport closed");
    };
    transport.onerror = (error) => {
      this.options.logger.warn({ err: error, mcp_session_id: transport.sessionId }, "transport error");
    };
    await server.connect(transport);
    return {
      transport,
      release: async () => {
        settle(transport.sessionId !== undefined);
        if (transport.sessionId === undefined) {
          eventStore?.dispose();
          await server.close();
        }
      },
    };
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
      this.release(session);
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
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const session of all) {
      this.release(session);
      this.observeEnd(session);
    }
    await Promise.allSettled(all.map((session) => session.server.close()));
  }

  private forget(sessionId: string, why: string): void {
    const session = this.sessions.get(sessionId);
    if (session !== undefined && this.sessions.delete(sessionId)) {
      this.release(session);
      this.observeEnd(session);
      this.options.logger.info({ mcp_session_id: sessionId, why }, "session closed");
    }
  }

  /** Gives the session's slot back to its caller's quota and drops its event history. */
  private release(session: Session): void {
    this.hold(session.quotaKey, -1);
    session.dispose();
  }

  private hold(quotaKey: string, delta: number): void {
    const count = (this.held.get(quotaKey) ?? 0) + delta;
    if (count > 0) this.held.set(quotaKey, count);
    else this.held.delete(quotaKey);
  }

  private observeEnd(session: Session): void {
    this.options.metrics.sessionDuration.observe(
      { mcp_protocol_version: session.protocolVersion(), network_transport: NETWORK_TRANSPORT },
      (this.now() - session.openedAt) / 1000,
    );
  }
}

/**
 * Passes every request on to `observer`, and remembers the protocol version the answer to
 * initialize negotiated (for the session's duration metric).
 */
function negotiatedVersion(observer: RequestObserver): { observer: RequestObserver; version: () => string } {
  let negotiated = "";
  return {
    version: () => negotiated,
    observer: {
      requestStarted(request, protocolVersion, caller) {
        const finished = observer.requestStarted(request, protocolVersion, caller);
        if (request.method !== "initialize") return finished;
        return (response) => {
          const result = "result" in response ? response.result : undefined;
          if (typeof result?.protocolVersion === "string") negotiated = result.protocolVersion;
          finished(response);
        };
      },
    },
  };
}
