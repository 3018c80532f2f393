import type { JSONRPCRequest, JSONRPCResponse } from "@modelcontextprotocol/sdk/types.js";

/**
 * Watches every JSON-RPC request a transport serves, from arrival to response, so the endpoint can
 * time and count it without reaching into the transport. A request that is cancelled gets no
 * response, and its `finished` function is never called.
 */
export interface RequestObserver {
  requestStarted(request: JSONRPCRequest, protocolVersion: string): (response: JSONRPCResponse) => void;
}

/** The observer of a transport nobody watches. */
export const UNOBSERVED: RequestObserver = {
  requestStarted: () => () => undefined,
};
