import { deadlineSignal } from "./deadline.js";
import { readAnswer, type HttpAnswer } from "./mcp-http-session.js";

/**
 * 2026-07-28 requests over plain fetch, as a stateless client sends them: the protocol version
 * and capabilities in every request's `_meta`, and the MCP-Protocol-Version, Mcp-Method and
 * Mcp-Name headers that mirror the body.
 */

export const MODERN = "2026-07-28";

/** The `_meta` envelope a 2026 request carries. */
export function envelope(capabilities: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientInfo": { name: "modern-test", version: "1.0.0" },
    "io.modelcontextprotocol/clientCapabilities": capabilities,
    ...extra,
  };
}

export interface ModernRequestOptions {
  readonly id?: number | string;
  /** Headers added to, or replacing (case-insensitively), the standard ones; undefined removes one. */
  readonly headers?: Record<string, string | undefined>;
  readonly signal?: AbortSignal;
}

let nextId = 1;

/** The standard headers for `method` (Mcp-Name from params.name or params.uri where the spec wants it). */
export function modernHeaders(method: string, params: Record<string, unknown> | undefined) {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    Accept: "application/json, text/event-stream",
    "MCP-Protocol-Version": MODERN,
    "Mcp-Method": method,
  };
  const name = method === "resources/read" ? params?.uri : params?.name;
  if (["tools/call", "prompts/get", "resources/read"].includes(method) && typeof name === "string") {
    headers["Mcp-Name"] = name;
  }
  return headers;
}

/** POSTs one 2026 request and reads the whole answer. */
export async function modernRequest(
  mcpUrl: URL,
  method: string,
  params: Record<string, unknown> | undefined,
  options: ModernRequestOptions = {},
): Promise<HttpAnswer> {
  const overrides = Object.entries(options.headers ?? {});
  const replaced = new Set(overrides.map(([name]) => name.toLowerCase()));
  const headers = Object.fromEntries([
    ...Object.entries(modernHeaders(method, params)).filter(([name]) => !replaced.has(name.toLowerCase())),
    ...overrides.filter((entry): entry is [string, string] => entry[1] !== undefined),
  ]);
  const id = options.id ?? nextId++;
  const res = await fetch(mcpUrl, {
    method: "POST",
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) }),
    signal: options.signal ?? deadlineSignal(`${method} answer`),
  });
  return readAnswer(res);
}

/** A tools/call in the stateless era, with the envelope and whatever else params should carry. */
export function callTool(
  mcpUrl: URL,
  name: string,
  args: Record<string, unknown>,
  more: {
    capabilities?: Record<string, unknown>;
    params?: Record<string, unknown>;
  } & ModernRequestOptions = {},
): Promise<HttpAnswer> {
  return modernRequest(
    mcpUrl,
    "tools/call",
    { name, arguments: args, _meta: envelope(more.capabilities), ...more.params },
    more,
  );
}
