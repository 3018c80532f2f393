import type { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

function cancelledRequestId(message: unknown): string | number | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const { method, params } = message as { method?: unknown; params?: unknown };
  if (method !== "notifications/cancelled" || typeof params !== "object" || params === null) return undefined;
  const id = (params as { requestId?: unknown }).requestId;
  return typeof id === "string" || typeof id === "number" ? id : undefined;
}

/**
 * Ends the SSE stream of a request the client cancelled. A cancelled request gets no response
 * (the spec forbids one), so the SDK would keep its POST stream open until the client hangs up:
 * the request would count as in flight forever and hold up a graceful shutdown.
 */
export function closeStreamsOfCancelledRequests(transport: StreamableHTTPServerTransport): void {
  const receive = transport.onmessage;
  if (receive === undefined)
    throw new Error("closeStreamsOfCancelledRequests must run after server.connect()");
  transport.onmessage = (message, extra) => {
    receive.call(transport, message, extra);
    const requestId = cancelledRequestId(message);
    if (requestId !== undefined) transport.closeSSEStream(requestId);
  };
}
