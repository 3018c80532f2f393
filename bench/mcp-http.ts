import { request, type Agent, type IncomingHttpHeaders } from "node:http";

/** The protocol version the benchmark's raw client speaks (the product's and the SDK's newest). */
export const PROTOCOL_VERSION = "2025-11-25";

/** Headers of every POST after initialize; the session id is added in stateful mode. */
export function mcpHeaders(sessionId?: string): Record<string, string> {
  return {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": PROTOCOL_VERSION,
    ...(sessionId === undefined ? {} : { "mcp-session-id": sessionId }),
  };
}

/** The protocol version of the stateless era's requests. */
export const MODERN_PROTOCOL_VERSION = "2026-07-28";

/** Headers of a 2026-07-28 tools/call: the version, and the method and tool name the body carries. */
export function modernHeaders(toolName: string): Record<string, string> {
  return {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": MODERN_PROTOCOL_VERSION,
    "mcp-method": "tools/call",
    "mcp-name": toolName,
  };
}

export interface McpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The JSON-RPC messages of the body: one JSON document, or the data lines of SSE events. */
  readonly messages: unknown[];
}

/** The JSON-RPC messages in a response body, whether it is JSON or an SSE stream. */
export function messagesOf(contentType: string | undefined, body: string): unknown[] {
  if (body.trim() === "") return [];
  if (contentType?.startsWith("text/event-stream") === true) {
    return body
      .split("\n")
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).trim())
      .filter((data) => data.length > 0)
      .map((data) => JSON.parse(data) as unknown);
  }
  return [JSON.parse(body) as unknown];
}

/** One HTTP request to the MCP endpoint over the given keep-alive agent. */
export function sendMcp(
  url: URL,
  method: "POST" | "DELETE",
  headers: Record<string, string>,
  message: unknown,
  agent: Agent,
): Promise<McpResponse> {
  const payload = message === undefined ? undefined : JSON.stringify(message);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        try {
          const body = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            messages: messagesOf(res.headers["content-type"], body),
          });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${url.href} timed out`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/**
 * Opens a session the way a client does: initialize, take Mcp-Session-Id, then
 * notifications/initialized (with `extraHeaders`, e.g. credentials, on both). Returns the session id.
 */
export async function openSession(
  url: URL,
  agent: Agent,
  extraHeaders: Readonly<Record<string, string>> = {},
): Promise<string> {
  const initialize = {
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: "resilient-mcp-bench", version: "1.0.0" },
    },
  };
  const opened = await sendMcp(url, "POST", { ...mcpHeaders(), ...extraHeaders }, initialize, agent);
  const sessionId = opened.headers["mcp-session-id"];
  const answer = opened.messages[0] as { result?: unknown } | undefined;
  if (opened.status !== 200 || typeof sessionId !== "string" || answer?.result === undefined) {
    throw new Error(`initialize failed: HTTP ${opened.status} ${JSON.stringify(opened.messages)}`);
  }
  const initialized = { jsonrpc: "2.0", method: "notifications/initialized" };
  const acknowledged = await sendMcp(
    url,
    "POST",
    { ...mcpHeaders(sessionId), ...extraHeaders },
    initialized,
    agent,
  );
  if (acknowledged.status !== 202) {
    throw new Error(`notifications/initialized answered HTTP ${acknowledged.status}`);
  }
  return sessionId;
}

/** Ends a session with DELETE; returns the HTTP status. */
export async function deleteSession(url: URL, sessionId: string, agent: Agent): Promise<number> {
  const response = await sendMcp(url, "DELETE", mcpHeaders(sessionId), undefined, agent);
  return response.status;
}
