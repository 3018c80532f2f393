import type { IncomingMessage } from "node:http";
import type { RequestInfo } from "@modelcontextprotocol/sdk/types.js";

/**
 * What a handler learns about the HTTP request that carried its message: the SDK's RequestInfo
 * (headers), plus the id the request logger gave that request. The id travels here, explicitly,
 * rather than by writing it into the incoming request's headers; the SDK hands this object to the
 * handler as it was given.
 */
export interface ServedRequestInfo extends RequestInfo {
  readonly requestId?: string;
}

/** The request info a transport hands the SDK for a message that arrived on `req`. */
export function requestInfoOf(req: IncomingMessage, requestId: string | undefined): ServedRequestInfo {
  return requestId === undefined ? { headers: req.headers } : { headers: req.headers, requestId };
}

/** The request id a transport put into a handler's request info, if any. */
export function requestIdOf(info: RequestInfo | undefined): string | undefined {
  const requestId: unknown = info !== undefined && "requestId" in info ? info.requestId : undefined;
  return typeof requestId === "string" ? requestId : undefined;
}
