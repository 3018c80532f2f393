import { randomUUID } from "node:crypto";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Logger } from "pino";
import { NETWORK_TRANSPORT } from "../observability/metric-labels.js";
import type { Metrics } from "../observability/metrics.js";
import { BoundedEventStore } from "./event-store.js";
import type { RequestObserver } from "./request-observer.js";
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
    const server = this.options.createServer();
    const negotiation = negotiatedVersion(this.options.observer);
    const transport: StreamableHttpTransport = new StreamableHttpTransport({
      sessionIdGenerator: randomUUID,
      jsonOnly: this.options.jsonResponse,
      streamAfterMs: this.options.streamAfterMs,
      eventStore:
        this.options.sseEventHistory > 0 ? new BoundedEventStore(this.options.sseEventHistory) : undefined,
      retryIntervalMs: this.options.sseRetryMs,
      observer: negotiation.observer,
      onsessioninitialized: (sessionId) => {
        settle();
        const now = this.now();
        this.sessions.set(sessionId, {
          transport,
          server,
          owner,
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
        settle();
        if (transport.sessionId === undefined) await server.close();
      },
    };
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
