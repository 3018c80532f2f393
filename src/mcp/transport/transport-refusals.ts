import type { ServerResponse } from "node:http";
import type { JSONRPCErrorResponse, RequestId } from "@modelcontextprotocol/sdk/types.js";
import { JsonRpcCode, writeJsonRpcError } from "../../http/json-rpc-error.js";
import { EventIdExpiredError } from "../event-store.js";

/** 406: the client must accept what the server may answer with. */
export function notAcceptable(res: ServerResponse, message: string): void {
  writeJsonRpcError(res, 406, JsonRpcCode.serverError, message);
}

/** 404 for a session that ended while the request was on its way. */
export function sessionClosed(res: ServerResponse): void {
  writeJsonRpcError(res, 404, JsonRpcCode.sessionNotFound, "Session not found");
}

/**
 * 409 for a request whose id is already in flight on the session (or twice in one batch). Serving
 * it would route the first request's answer to the second and leave the first hanging forever.
 */
export function duplicateRequestId(res: ServerResponse, id: RequestId): void {
  writeJsonRpcError(
    res,
    409,
    JsonRpcCode.invalidRequest,
    `Invalid Request: request id ${JSON.stringify(id)} is already in flight on this session, or twice in this batch`,
    {
      request_id: id,
      suggestion:
        "Give every request of a session its own id; the earlier request with this id keeps running.",
    },
  );
}

/** A resume that cannot be served: 400 for an id no longer held, 503 when the event store failed. */
export function replayRefused(res: ServerResponse, error: unknown, report: (error: Error) => void): void {
  if (error instanceof EventIdExpiredError) {
    writeJsonRpcError(res, 400, JsonRpcCode.serverError, "Invalid or expired Last-Event-ID", {
      suggestion: "Open a new stream without Last-Event-ID, or repeat the request.",
    });
    return;
  }
  report(error instanceof Error ? error : new Error(String(error)));
  writeJsonRpcError(res, 503, JsonRpcCode.serverError, "Events could not be replayed; retry the GET", {
    suggestion: "Retry the GET with the same Last-Event-ID in a moment.",
  });
}

/** The answer to a request its session ended under (shutdown, idle expiry or DELETE). */
export function connectionClosedError(id: RequestId): JSONRPCErrorResponse {
  return {
    jsonrpc: "2.0",
    id,
    error: {
      // The SDK's ConnectionClosed code: clients already treat it as "the call did not finish".
      code: JsonRpcCode.serverError,
      message:
        "Connection closed: the session ended (server shutdown, idle expiry or DELETE) before this request finished. " +
        "Open a new session and retry; if the call changes data, check its state first.",
    },
  };
}

/**
 * The answer to a request whose replica died mid-call, given by a surviving replica on the
 * request's stream. The session lives on: the call can be retried on it at once.
 */
export function replicaLostError(id: RequestId): JSONRPCErrorResponse {
  return {
    jsonrpc: "2.0",
    id,
    error: {
      code: JsonRpcCode.serverError,
      message:
        "Connection closed: the server replica running this request stopped before it finished. " +
        "The session is kept: retry the request; if it changes data, check its state first.",
      data: { reason: "replica_lost", should_retry: true, retry_after_seconds: 1 },
    },
  };
}
