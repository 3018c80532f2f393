import type { IncomingMessage, ServerResponse } from "node:http";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { JsonRpcCode, writeJsonRpcError } from "../http/json-rpc-error.js";
import { sessionOwnerOf } from "../auth/principal.js";
import { quotaKeyOf } from "../limits/quota-key.js";
import type { ServerLifecycle } from "../lifecycle.js";
import type { Principal } from "../tools/tool-definition.js";
import type { McpEndpointHooks } from "./endpoint-hooks.js";
import { acceptsJsonAndSse, acceptsSse, headerOf, legacyVersionProblem } from "./http-checks.js";
import { authInfoFor } from "./principal-auth-info.js";
import type { Session, SessionManager, SessionRefusal } from "./session-manager.js";
import { SessionRegistryUnavailableError } from "./session-registry.js";
import { isInitialize } from "./transport/json-rpc-message.js";

/**
 * The 2025 session side of the endpoint: initialize opens a session (one server and transport),
 * Mcp-Session-Id finds it again, and every HTTP-level check of that era happens here, before the
 * session's transport sees the request. A session belongs to the principal that opened it: any
 * other caller (or none) is told the session does not exist, exactly like an unknown id.
 */
export class SessionRoutes {
  constructor(
    private readonly sessions: SessionManager,
    private readonly lifecycle: ServerLifecycle,
    private readonly hooks: McpEndpointHooks,
  ) {}

  async post(
    req: IncomingMessage,
    res: ServerResponse,
    messages: JSONRPCMessage[],
    batch: boolean,
    principal: Principal | undefined,
    requestId?: string,
  ): Promise<void> {
    if (!acceptsJsonAndSse(req)) {
      writeJsonRpcError(
        res,
        406,
        JsonRpcCode.serverError,
        "Not Acceptable: Client must accept both application/json and text/event-stream",
      );
      return;
    }
    const sessionId = headerOf(req, "mcp-session-id");
    if (sessionId !== undefined && sessionId !== "") {
      const session = await this.find(res, sessionId, principal);
      if (session === undefined) return;
      if (!messages.some(isInitialize) && this.refuseVersion(req, res)) return;
      res.once("close", this.sessions.touch(session));
      session.transport.handlePost(req, res, messages, batch, authInfoFor(principal, req), requestId);
      return;
    }
    if (!messages.some(isInitialize)) {
      if (messages.some((message) => "method" in message && message.method === "initialize")) {
        initializeWithoutId(res);
      } else sessionRequired(res);
      return;
    }
    if (this.refuseAccept(req, res)) return;
    const quotaKey = quotaKeyOf(principal, req);
    const admission = await this.sessions.admit(this.lifecycle.draining, quotaKey);
    if ("reason" in admission) {
      this.hooks.onSessionRefused?.({ reason: admission.reason });
      refuseSession(res, admission);
      return;
    }
    const { transport, release } = await this.sessions.open(sessionOwnerOf(principal), admission);
    try {
      transport.handlePost(req, res, messages, batch, authInfoFor(principal, req), requestId);
    } finally {
      await release();
    }
  }

  /** GET opens the session's stream (or resumes one); DELETE ends the session. */
  async getOrDelete(
    req: IncomingMessage,
    res: ServerResponse,
    principal: Principal | undefined,
  ): Promise<void> {
    const sessionId = headerOf(req, "mcp-session-id");
    if (sessionId === undefined || sessionId === "") {
      sessionRequired(res);
      return;
    }
    const session = await this.find(res, sessionId, principal);
    if (session === undefined) return;
    if (req.method === "GET" && !acceptsSse(req)) {
      writeJsonRpcError(
        res,
        406,
        JsonRpcCode.serverError,
        "Not Acceptable: Client must accept text/event-stream",
      );
      return;
    }
    if (this.refuseVersion(req, res)) return;
    // A standalone GET stream stays open for as long as the client listens: it is use, but not work
    // in flight, so it never keeps an idle session from expiring (expiry closes the stream too).
    this.sessions.seen(session);
    res.once("close", () => {
      this.sessions.seen(session);
    });
    if (req.method === "DELETE") await session.transport.handleDelete(res);
    else session.transport.handleGet(req, res);
  }

  private async find(
    res: ServerResponse,
    sessionId: string,
    principal: Principal | undefined,
  ): Promise<Session | undefined> {
    let session: Session | undefined;
    try {
      session = await this.sessions.lookup(sessionId);
    } catch (error) {
      if (!(error instanceof SessionRegistryUnavailableError)) throw error;
      sessionRegistryUnavailable(res);
      return undefined;
    }
    if (session !== undefined && session.owner !== sessionOwnerOf(principal)) {
      this.hooks.onSessionRefused?.({
        reason: "session_mismatch",
        sessionId,
        ...(principal === undefined ? {} : { principal }),
      });
      sessionNotFound(res);
      return undefined;
    }
    if (session === undefined) sessionNotFound(res);
    return session;
  }

  private refuseAccept(req: IncomingMessage, res: ServerResponse): boolean {
    if (acceptsJsonAndSse(req)) return false;
    writeJsonRpcError(
      res,
      406,
      JsonRpcCode.serverError,
      "Not Acceptable: Client must accept both application/json and text/event-stream",
    );
    return true;
  }

  private refuseVersion(req: IncomingMessage, res: ServerResponse): boolean {
    const problem = legacyVersionProblem(req);
    if (problem !== undefined) writeJsonRpcError(res, 400, JsonRpcCode.serverError, problem);
    return problem !== undefined;
  }
}

/** The shared session registry (Redis) is down: a retryable 503, not a 404 that would end the session. */
function sessionRegistryUnavailable(res: ServerResponse): void {
  res.setHeader("Retry-After", "2");
  writeJsonRpcError(
    res,
    503,
    JsonRpcCode.serverError,
    "Service Unavailable: the session registry does not answer",
    {
      reason: "session_registry_unavailable",
      retry_after_seconds: 2,
      should_retry: true,
      suggestion: "Retry the same request with the same Mcp-Session-Id in 2 seconds; the session is kept.",
    },
  );
}

function sessionNotFound(res: ServerResponse): void {
  writeJsonRpcError(res, 404, JsonRpcCode.sessionNotFound, "Session not found", {
    suggestion:
      "The session expired or the server restarted: send a new initialize request without Mcp-Session-Id.",
  });
}

/** An initialize sent without an id is a notification: it cannot open a session, and says so. */
function initializeWithoutId(res: ServerResponse): void {
  writeJsonRpcError(
    res,
    400,
    JsonRpcCode.invalidRequest,
    "Invalid Request: initialize must be a request with an id; it was sent as a notification",
    {
      suggestion:
        'Send initialize with an id, e.g. {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {...}}.',
    },
  );
}

function sessionRequired(res: ServerResponse): void {
  writeJsonRpcError(res, 400, JsonRpcCode.serverError, "Bad Request: Mcp-Session-Id header is required", {
    suggestion: "Send initialize first, then repeat the Mcp-Session-Id response header on every request.",
  });
}

function refuseSession(res: ServerResponse, refusal: SessionRefusal): void {
  res.setHeader("Retry-After", String(refusal.retryAfterSeconds));
  const { status, message } = SESSION_REFUSALS[refusal.reason];
  writeJsonRpcError(res, status, JsonRpcCode.serverError, message, {
    reason: refusal.reason,
    retry_after_seconds: refusal.retryAfterSeconds,
    suggestion:
      refusal.reason === "principal_capacity"
        ? `Close sessions you no longer use (DELETE /mcp), or retry initialize in ${refusal.retryAfterSeconds} seconds.`
        : `Retry initialize in ${refusal.retryAfterSeconds} seconds.`,
  });
}

/** A full server is 503; a caller holding its whole share is 429 (its own doing, not the server's). */
const SESSION_REFUSALS: Readonly<Record<SessionRefusal["reason"], { status: number; message: string }>> = {
  draining: {
    status: 503,
    message: "Service Unavailable: the server is shutting down and accepts no new sessions",
  },
  capacity: { status: 503, message: "Service Unavailable: the server has reached its session limit" },
  principal_capacity: {
    status: 429,
    message: "Too Many Requests: this caller holds as many sessions as one caller may",
  },
};
