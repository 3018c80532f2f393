import type { ServerResponse } from "node:http";
import type { JSONRPCErrorResponse } from "@modelcontextprotocol/sdk/types.js";
import type { Refusal } from "./era-classification.js";

function errorOf(refusal: Refusal): JSONRPCErrorResponse["error"] {
  return {
    code: refusal.code,
    message: refusal.message,
    ...(refusal.data === undefined ? {} : { data: refusal.data }),
  };
}

/** The JSON-RPC error response a refusal stands for, as the request observer sees it. */
export function refusalResponse(refusal: Refusal): JSONRPCErrorResponse {
  return { jsonrpc: "2.0", ...(refusal.id === null ? {} : { id: refusal.id }), error: errorOf(refusal) };
}

/**
 * Answers with the refusal's status and a JSON-RPC error body carrying the request's id (null
 * when it could not be read), unless the answer already started.
 */
export function writeRefusal(res: ServerResponse, refusal: Refusal): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = { jsonrpc: "2.0", id: refusal.id, error: errorOf(refusal) };
  res
    .writeHead(refusal.status, { "Content-Type": "application/json; charset=utf-8" })
    .end(JSON.stringify(body));
}
