import type { IncomingMessage, ServerResponse } from "node:http";
import type { JSONRPCMessage, JSONRPCRequest } from "@modelcontextprotocol/sdk/types.js";
import { JsonRpcCode, writeJsonRpcError } from "../http/json-rpc-error.js";
import { refusalCodeFor } from "../http/refusal-code.js";
import type { ServerLifecycle } from "../lifecycle.js";
import type { Principal } from "../tools/tool-definition.js";
import { acceptsJsonAndSse, headerOf, legacyVersionProblem, namesModernVersion } from "./http-checks.js";
import { classifyEra, refusal, type ProtocolHeaders, type Refusal } from "./modern/era-classification.js";
import { checkModernRequest } from "./modern/request-checks.js";
import { refusalResponse, writeRefusal } from "./modern/refusal-writer.js";
import type { RequestObserver } from "./request-observer.js";
import type { SessionManager } from "./session-manager.js";
import type { SessionRoutes } from "./session-routes.js";
import type { StatelessDispatch } from "./stateless/stateless-dispatch.js";
import { isRequest, readPostBody } from "./transport/json-rpc-message.js";

/** The parts an McpEndpoint is made of (see createMcpEndpoint). */
export interface McpEndpointParts {
  readonly lifecycle: ServerLifecycle;
  readonly stateless: StatelessDispatch;
  /** Stateful mode only: 2025 sessions. */
  readonly sessions: { readonly manager: SessionManager; readonly routes: SessionRoutes } | undefined;
  /** Observes stateless requests refused before they reach the server. */
  readonly observer: RequestObserver;
  readonly supportedVersions: readonly string[];
}

/**
 * Everything MCP on HTTP, behind one object: which era a request speaks (a 2026 request carries
 * its protocol version in `_meta` and is served statelessly; `initialize` opens a 2025 session),
 * session lookup, every HTTP-level check of either era, and the transports. The Express route in
 * front of it only parses the body and passes the caller's principal.
 */
export class McpEndpoint {
  constructor(private readonly parts: McpEndpointParts) {}

  /** Open 2025 sessions (0 in stateless mode). */
  get sessionCount(): number {
    return this.parts.sessions?.manager.size ?? 0;
  }

  /** The 2025 sessions, in stateful mode (for operations and tests). */
  get sessions(): SessionManager | undefined {
    return this.parts.sessions?.manager;
  }

  /** 415 for a POST that is not JSON, answered before the body is parsed; true when it answered. */
  refuseNonJson(req: IncomingMessage, res: ServerResponse, isJson: boolean): boolean {
    if (isJson) return false;
    writeJsonRpcError(
      res,
      415,
      refusalCodeFor(req),
      "Unsupported Media Type: Content-Type must be application/json",
    );
    return true;
  }

  /** POST /mcp with its parsed JSON body; `requestId` is the id its log lines carry. */
  async post(
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    principal: Principal | undefined,
    requestId?: string,
  ): Promise<void> {
    const read = readPostBody(body);
    if (!read.ok) {
      writeJsonRpcError(
        res,
        400,
        JsonRpcCode.invalidRequest,
        `Invalid Request: expected a JSON-RPC 2.0 message, got ${read.reason}`,
        {
          suggestion: 'Send {"jsonrpc": "2.0", "id": 1, "method": "...", "params": {...}}.',
        },
      );
      return;
    }
    const { messages, batch } = read;
    const route = classifyEra(messages, batch, protocolHeaders(req));
    // Shutdown waits for requests in flight; a listen stream stays open for as long as the client
    // listens, so like a session's GET stream it is not one (shutdown ends it instead).
    if (route.kind !== "modern" || route.request.method !== "subscriptions/listen") {
      res.once("close", this.parts.lifecycle.track());
    }
    switch (route.kind) {
      case "refuse":
        this.refuse(res, route, messages);
        return;
      case "modern-notification":
        // The stateless era has no client notifications a server acts on; accepted and dropped.
        res.writeHead(202).end();
        return;
      case "modern":
        await this.postModern(req, res, route.request, route.version, principal, requestId);
        return;
      case "legacy":
        await this.postLegacy(req, res, messages, batch, principal, requestId);
    }
  }

  /** GET and DELETE /mcp: 2025 session operations; the stateless era has neither (405). */
  async getOrDelete(
    req: IncomingMessage,
    res: ServerResponse,
    principal: Principal | undefined,
  ): Promise<void> {
    if (this.parts.sessions === undefined || namesModernVersion(req)) {
      res.setHeader("Allow", "POST");
      writeJsonRpcError(
        res,
        405,
        refusalCodeFor(req),
        `Method Not Allowed: ${req.method ?? ""} is not served without a session; use POST`,
        {
          suggestion: "Send every request as a POST to /mcp.",
        },
      );
      return;
    }
    await this.parts.sessions.routes.getOrDelete(req, res, principal);
  }

  /** Any other method on /mcp. */
  notAllowed(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader("Allow", this.parts.sessions === undefined ? "POST" : "GET, POST, DELETE");
    writeJsonRpcError(res, 405, refusalCodeFor(req), "Method Not Allowed");
  }

  /** Shutdown: sessions close (their running calls are answered first), then the shared server. */
  async close(): Promise<void> {
    await this.parts.sessions?.manager.closeAll();
    await this.parts.stateless.close();
  }

  private async postModern(
    req: IncomingMessage,
    res: ServerResponse,
    request: JSONRPCRequest,
    version: string,
    principal: Principal | undefined,
    requestId: string | undefined,
  ): Promise<void> {
    if (!acceptsJsonAndSse(req)) {
      this.refuse(
        res,
        refusal(
          406,
          JsonRpcCode.invalidRequest,
          "Not Acceptable: the client must accept both application/json and text/event-stream",
          request.id,
        ),
        [request],
      );
      return;
    }
    const problem = checkModernRequest(request, version, protocolHeaders(req), {
      supportedVersions: this.parts.supportedVersions,
      methods: this.parts.stateless.methods,
    });
    if (problem !== undefined) {
      this.refuse(res, problem, [request]);
      return;
    }
    await this.parts.stateless.serveModern(req, res, request, version, principal, requestId);
  }

  private async postLegacy(
    req: IncomingMessage,
    res: ServerResponse,
    messages: JSONRPCMessage[],
    batch: boolean,
    principal: Principal | undefined,
    requestId: string | undefined,
  ): Promise<void> {
    if (this.parts.sessions !== undefined) {
      await this.parts.sessions.routes.post(req, res, messages, batch, principal, requestId);
      return;
    }
    if (!acceptsJsonAndSse(req)) {
      writeJsonRpcError(
        res,
        406,
        JsonRpcCode.serverError,
        "Not Acceptable: Client must accept both application/json and text/event-stream",
      );
      return;
    }
    const problem = legacyVersionProblem(req);
    if (problem !== undefined) {
      writeJsonRpcError(res, 400, JsonRpcCode.serverError, problem);
      return;
    }
    this.parts.stateless.serveLegacy(req, res, messages, batch, principal, requestId);
  }

  /** Answers a refusal; one that concerns a request is also reported like any answered request. */
  private refuse(res: ServerResponse, refused: Refusal, messages: readonly JSONRPCMessage[]): void {
    const [only] = messages;
    if (messages.length === 1 && only !== undefined && isRequest(only)) {
      const version = headerOf(res.req, "mcp-protocol-version") ?? "";
      this.parts.observer.requestStarted(only, version)(refusalResponse(refused));
    }
    writeRefusal(res, refused);
  }
}

function protocolHeaders(req: IncomingMessage): ProtocolHeaders {
  return {
    protocolVersion: headerOf(req, "mcp-protocol-version"),
    method: headerOf(req, "mcp-method"),
    name: headerOf(req, "mcp-name"),
  };
}
