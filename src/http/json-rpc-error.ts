import type { ServerResponse } from "node:http";

/** JSON-RPC error codes used at the HTTP/protocol layer (never inside tool results). */
export const JsonRpcCode = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** The SDK's generic server error code for transport-level refusals. */
  serverError: -32000,
  /** The SDK answers unknown sessions with this code; we keep it for clients that match on it. */
  sessionNotFound: -32001,
} as const;

/** The body every HTTP-level failure carries: a JSON-RPC error with a null id. */
export function jsonRpcErrorBody(code: number, message: string, data?: Record<string, unknown>) {
  return {
    jsonrpc: "2.0" as const,
    error: data === undefined ? { code, message } : { code, message, data },
    id: null,
  };
}

/**
 * What to do about failures whose fix does not depend on the case, for bodies written without a
 * suggestion of their own: every HTTP-level failure tells the client its next step.
 */
const SUGGESTION_BY_STATUS: Readonly<Partial<Record<number, string>>> = {
  405: "Use one of the methods in the Allow header.",
  406: 'Send "Accept: application/json, text/event-stream" with every POST (a GET needs text/event-stream).',
  415: 'Send the body as UTF-8 JSON with "Content-Type: application/json".',
};
const SUGGESTION_BY_CODE: Readonly<Partial<Record<number, string>>> = {
  [JsonRpcCode.parseError]: "Send a body that is valid JSON: one JSON-RPC 2.0 message, or an array of them.",
  [JsonRpcCode.sessionNotFound]:
    "The session expired or the server restarted: send a new initialize request without Mcp-Session-Id.",
};

/**
 * Ends the response with an HTTP status and a JSON-RPC error body, unless headers already went out
 * (then it just ends it). Written on Node's response so the MCP transport can use it too.
 */
export function writeJsonRpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  data?: Record<string, unknown>,
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const fallback = SUGGESTION_BY_STATUS[status] ?? SUGGESTION_BY_CODE[code];
  const withSuggestion =
    fallback === undefined || data?.suggestion !== undefined ? data : { ...data, suggestion: fallback };
  const body = JSON.stringify(jsonRpcErrorBody(code, message, withSuggestion));
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" }).end(body);
}
