import type { JSONRPCRequest, JSONRPCResponse } from "@modelcontextprotocol/sdk/types.js";
import type { Principal } from "../tools/tool-definition.js";

/** Who sent a request, as far as the transport that received it knows. */
export interface RequestCaller {
  /** The 2025 session it arrived on (undefined without a session). */
  readonly sessionId?: string | undefined;
  /** The authenticated principal (undefined when anonymous). */
  readonly principal?: Principal | undefined;
}

/**
 * Watches every JSON-RPC request a transport serves, from arrival to response, so the endpoint can
 * time, count and trace it without reaching into the transport. A request that is cancelled gets
 * no response, and its `finished` function is never called.
 */
export interface RequestObserver {
  requestStarted(
    request: JSONRPCRequest,
    protocolVersion: string,
    caller?: RequestCaller,
  ): (response: JSONRPCResponse) => void;
}

/** The observer of a transport nobody watches. */
export const UNOBSERVED: RequestObserver = {
  requestStarted: () => () => undefined,
};
