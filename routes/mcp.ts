import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import express, { Router, type Request, type RequestHandler, type Response } from "express";
import type { Config } from "../config/schema.js";
import { principalOf, sessionOwnerOf } from "../src/auth/principal.js";
import { JsonRpcCode, writeJsonRpcError } from "../src/http/json-rpc-error.js";
import type { ServerLifecycle } from "../src/lifecycle.js";
import { instrumentTransport } from "../src/mcp/instrument-transport.js";
import { authInfoFor } from "../src/mcp/principal-auth-info.js";
import type { SessionManager, SessionRefusal } from "../src/mcp/session-manager.js";
import { isInitialize, readPostBody } from "../src/mcp/transport/json-rpc-message.js";
import { StreamableHttpTransport } from "../src/mcp/transport/streamable-http-transport.js";
import type { Metrics } from "../src/observability/metrics.js";
import type { Principal } from "../src/tools/tool-definition.js";

export interface McpRouteDeps {
  /** Runs first on every /mcp route (Host/Origin guard, CORS): route-level, so no mounted-path matching. */
  readonly front: readonly RequestHandler[];
  /** Runs after `front` on GET/POST/DELETE: sets res.locals.principal or refuses the request. */
  readonly authenticate: RequestHandler;
  /** A session id presented by a principal other than the one that opened it (answered 404). */
  readonly onSessionMismatch: (sessionId: string, principal: Principal | undefined) => void;
  readonly config: Config;
  readonly lifecycle: ServerLifecycle;
  readonly metrics: Metrics;
  readonly createServer: () => McpServer;
  readonly isKnownTool: (name: string) => boolean;
  /** Present in stateful mode only. */
  readonly sessions: SessionManager | undefined;
}

function sessionIdOf(req: Request): string | undefined {
  const header = req.headers["mcp-session-id"];
  return typeof header === "string" && header.length > 0 ? header : undefined;
}

/**
 * The session a request names, when it belongs to the caller. A session is never a credential: one
 * opened by another principal (or by an anonymous caller) is answered exactly like an unknown one.
 */
function ownSession(deps: McpRouteDeps, sessions: SessionManager, sessionId: string, res: Response) {
  const session = sessions.get(sessionId);
  if (session === undefined) return undefined;
  const principal = principalOf(res);
  if (session.owner === sessionOwnerOf(principal)) return session;
  deps.onSessionMismatch(sessionId, principal);
  return undefined;
}

function sessionNotFound(res: Response): void {
  writeJsonRpcError(res, 404, JsonRpcCode.sessionNotFound, "Session not found", {
    suggestion:
      "The session expired or the server restarted: send a new initialize request without Mcp-Session-Id.",
  });
}

/** An initialize sent without an id is a notification: it cannot open a session, and says so. */
function initializeWithoutId(res: Response): void {
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

function sessionRequired(res: Response): void {
  writeJsonRpcError(res, 400, JsonRpcCode.serverError, "Bad Request: Mcp-Session-Id header is required", {
    suggestion: "Send initialize first, then repeat the Mcp-Session-Id response header on every request.",
  });
}

function refuse(res: Response, metrics: Metrics, refusal: SessionRefusal): void {
  metrics.sessionsRejected.inc({ reason: refusal.reason });
  res.setHeader("Retry-After", String(refusal.retryAfterSeconds));
  const message =
    refusal.reason === "draining"
      ? "Service Unavailable: the server is shutting down and accepts no new sessions"
      : "Service Unavailable: the server has reached its session limit";
  writeJsonRpcError(res, 503, JsonRpcCode.serverError, message, {
    reason: refusal.reason,
    retry_after_seconds: refusal.retryAfterSeconds,
    suggestion: `Retry initialize in ${refusal.retryAfterSeconds} seconds.`,
  });
}

/** 415 for a POST that is not JSON; checked before the body parser so the answer is precise. */
const requireJson: RequestHandler = (req, res, next) => {
  if (req.is(["application/json", "application/*+json"]) === false) {
    writeJsonRpcError(
      res,
      415,
      JsonRpcCode.serverError,
      "Unsupported Media Type: Content-Type must be application/json",
    );
    return;
  }
  next();
};

/**
 * POST/GET/DELETE /mcp over Streamable HTTP. Stateful: one transport per session, created on
 * initialize, found by Mcp-Session-Id (unknown id → 404 so clients re-initialize). Stateless: a
 * fresh server and transport for every POST; GET and DELETE have nothing to act on (405).
 */
export function createMcpRouter(deps: McpRouteDeps): Router {
  const router = Router();
  const parseJson = express.json({
    limit: deps.config.maxBodyBytes,
    // Any JSON value parses; one that is not a JSON-RPC message is then -32600, not a parse error.
    strict: false,
    type: ["application/json", "application/*+json"],
  });

  router.post("/mcp", ...deps.front, deps.authenticate, requireJson, parseJson, async (req, res) => {
    const done = deps.lifecycle.track();
    res.once("close", done);
    const body = readPostBody(req.body);
    if (!body.ok) {
      writeJsonRpcError(
        res,
        400,
        JsonRpcCode.invalidRequest,
        `Invalid Request: expected a JSON-RPC 2.0 message, got ${body.reason}`,
        {
          suggestion: 'Send {"jsonrpc": "2.0", "id": 1, "method": "...", "params": {...}}.',
        },
      );
      return;
    }
    const { messages, batch } = body;
    if (deps.sessions === undefined) {
      await serveStateless(deps, req, res, messages, batch);
      return;
    }
    const sessionId = sessionIdOf(req);
    const authInfo = authInfoFor(principalOf(res));
    if (sessionId !== undefined) {
      const session = ownSession(deps, deps.sessions, sessionId, res);
      if (session === undefined) {
        sessionNotFound(res);
        return;
      }
      res.once("close", deps.sessions.touch(session));
      session.transport.handlePost(req, res, messages, batch, authInfo);
      return;
    }
    if (!messages.some(isInitialize)) {
      if (messages.some((message) => "method" in message && message.method === "initialize")) {
        initializeWithoutId(res);
      } else sessionRequired(res);
      return;
    }
    const refusal = deps.sessions.admit(deps.lifecycle.draining);
    if (refusal !== undefined) {
      refuse(res, deps.metrics, refusal);
      return;
    }
    const { transport, release } = await deps.sessions.open(sessionOwnerOf(principalOf(res)));
    try {
      transport.handlePost(req, res, messages, batch, authInfo);
    } finally {
      await release();
    }
  });

  const withSession: RequestHandler = async (req, res) => {
    if (deps.sessions === undefined) {
      res.setHeader("Allow", "POST");
      writeJsonRpcError(
        res,
        405,
        JsonRpcCode.serverError,
        "Method Not Allowed: this server is stateless; use POST",
        {
          suggestion: "Send every request as a POST to /mcp; no session or stream is kept.",
        },
      );
      return;
    }
    const sessionId = sessionIdOf(req);
    if (sessionId === undefined) {
      sessionRequired(res);
      return;
    }
    const session = ownSession(deps, deps.sessions, sessionId, res);
    if (session === undefined) {
      sessionNotFound(res);
      return;
    }
    // A standalone GET stream stays open for as long as the client listens: it keeps the session
    // alive but is not an in-flight request that shutdown should wait for.
    res.once("close", deps.sessions.touch(session));
    if (req.method === "DELETE") await session.transport.handleDelete(req, res);
    else session.transport.handleGet(req, res);
  };
  router.get("/mcp", ...deps.front, deps.authenticate, withSession);
  router.delete("/mcp", ...deps.front, deps.authenticate, withSession);

  // Also answers CORS preflight: the CORS middleware in `front` ends an allowed OPTIONS itself.
  router.all("/mcp", ...deps.front, (_req, res) => {
    res.setHeader("Allow", deps.sessions === undefined ? "POST" : "GET, POST, DELETE");
    writeJsonRpcError(res, 405, JsonRpcCode.serverError, "Method Not Allowed");
  });
  return router;
}

async function serveStateless(
  deps: McpRouteDeps,
  req: Request,
  res: Response,
  messages: JSONRPCMessage[],
  batch: boolean,
): Promise<void> {
  const server = deps.createServer();
  // Nothing can resume without a session, so there is no event store to prime streams for.
  const transport = new StreamableHttpTransport({
    jsonOnly: deps.config.jsonResponse,
    streamAfterMs: deps.config.streamAfterMs,
  });
  res.once("close", () => {
    void server.close();
  });
  await server.connect(transport);
  instrumentTransport(transport, deps.metrics, deps.isKnownTool);
  transport.handlePost(req, res, messages, batch, authInfoFor(principalOf(res)));
}
