import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import express, { Router, type Request, type RequestHandler, type Response } from "express";
import type { Config } from "../config/schema.js";
import { JsonRpcCode, sendJsonRpcError } from "../src/http/json-rpc-error.js";
import type { ServerLifecycle } from "../src/lifecycle.js";
import { closeStreamsOfCancelledRequests } from "../src/mcp/cancelled-streams.js";
import { instrumentTransport } from "../src/mcp/instrument-transport.js";
import type { SessionManager, SessionRefusal } from "../src/mcp/session-manager.js";
import type { Metrics } from "../src/observability/metrics.js";

export interface McpRouteDeps {
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

function isJsonRpcMessage(body: unknown): boolean {
  const one = (value: unknown) =>
    typeof value === "object" && value !== null && (value as { jsonrpc?: unknown }).jsonrpc === "2.0";
  return Array.isArray(body) ? body.length > 0 && body.every(one) : one(body);
}

function containsInitialize(body: unknown): boolean {
  return Array.isArray(body)
    ? body.some((message) => isInitializeRequest(message))
    : isInitializeRequest(body);
}

function sessionNotFound(res: Response): void {
  sendJsonRpcError(res, 404, JsonRpcCode.sessionNotFound, "Session not found", {
    suggestion:
      "The session expired or the server restarted: send a new initialize request without Mcp-Session-Id.",
  });
}

function sessionRequired(res: Response): void {
  sendJsonRpcError(res, 400, JsonRpcCode.serverError, "Bad Request: Mcp-Session-Id header is required", {
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
  sendJsonRpcError(res, 503, JsonRpcCode.serverError, message, {
    reason: refusal.reason,
    retry_after_seconds: refusal.retryAfterSeconds,
    suggestion: `Retry initialize in ${refusal.retryAfterSeconds} seconds.`,
  });
}

/** 415 for a POST that is not JSON; checked before the body parser so the answer is precise. */
const requireJson: RequestHandler = (req, res, next) => {
  if (req.is(["application/json", "application/*+json"]) === false) {
    sendJsonRpcError(
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
    type: ["application/json", "application/*+json"],
  });

  router.post("/mcp", requireJson, parseJson, async (req, res) => {
    const done = deps.lifecycle.track();
    res.once("close", done);
    if (!isJsonRpcMessage(req.body)) {
      sendJsonRpcError(
        res,
        400,
        JsonRpcCode.invalidRequest,
        "Invalid Request: expected a JSON-RPC 2.0 message",
        {
          suggestion: 'Send {"jsonrpc": "2.0", "id": 1, "method": "...", "params": {...}}.',
        },
      );
      return;
    }
    if (deps.sessions === undefined) {
      await serveStateless(deps, req, res);
      return;
    }
    const sessionId = sessionIdOf(req);
    if (sessionId !== undefined) {
      const session = deps.sessions.get(sessionId);
      if (session === undefined) {
        sessionNotFound(res);
        return;
      }
      res.once("close", deps.sessions.touch(session));
      await session.transport.handleRequest(req, res, req.body);
      return;
    }
    if (!containsInitialize(req.body)) {
      sessionRequired(res);
      return;
    }
    const refusal = deps.sessions.admit(deps.lifecycle.draining);
    if (refusal !== undefined) {
      refuse(res, deps.metrics, refusal);
      return;
    }
    const { transport, release } = await deps.sessions.open();
    try {
      await transport.handleRequest(req, res, req.body);
    } finally {
      await release();
    }
  });

  const withSession: RequestHandler = async (req, res) => {
    if (deps.sessions === undefined) {
      res.setHeader("Allow", "POST");
      sendJsonRpcError(
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
    const session = deps.sessions.get(sessionId);
    if (session === undefined) {
      sessionNotFound(res);
      return;
    }
    // A standalone GET stream stays open for as long as the client listens: it keeps the session
    // alive but is not an in-flight request that shutdown should wait for.
    res.once("close", deps.sessions.touch(session));
    await session.transport.handleRequest(req, res);
  };
  router.get("/mcp", withSession);
  router.delete("/mcp", withSession);

  router.all("/mcp", (_req, res) => {
    res.setHeader("Allow", deps.sessions === undefined ? "POST" : "GET, POST, DELETE");
    sendJsonRpcError(res, 405, JsonRpcCode.serverError, "Method Not Allowed");
  });
  return router;
}

async function serveStateless(deps: McpRouteDeps, req: Request, res: Response): Promise<void> {
  const server = deps.createServer();
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: deps.config.jsonResponse,
  });
  res.once("close", () => {
    void server.close();
  });
  await server.connect(transport);
  closeStreamsOfCancelledRequests(transport);
  instrumentTransport(transport, deps.metrics, deps.isKnownTool);
  await transport.handleRequest(req, res, req.body);
}
