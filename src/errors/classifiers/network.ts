import type { ExternalServiceKind } from "../catalog.js";
import type { ToolError } from "../tool-error.js";
import { externalServiceError } from "../transient-errors.js";
import { errorChain, errorCode } from "./error-chain.js";

// Codes Node's net/dns layers and undici (fetch) put on connection failures.
const NETWORK_CODES: Readonly<Record<string, ExternalServiceKind>> = {
  ECONNREFUSED: "connection_failed",
  ECONNRESET: "connection_failed",
  ECONNABORTED: "connection_failed",
  EPIPE: "connection_failed",
  ENOTFOUND: "connection_failed",
  EAI_AGAIN: "connection_failed",
  EHOSTUNREACH: "connection_failed",
  ENETUNREACH: "connection_failed",
  ENETDOWN: "connection_failed",
  UND_ERR_SOCKET: "connection_failed",
  UND_ERR_CLOSED: "connection_failed",
  ETIMEDOUT: "timeout",
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout",
};

/** The kind of network failure anywhere in the error's cause chain, if it is one. */
export function networkKind(error: unknown): ExternalServiceKind | undefined {
  for (const link of errorChain(error)) {
    const code = errorCode(link);
    if (code !== undefined && code in NETWORK_CODES) return NETWORK_CODES[code];
  }
  return undefined;
}

/**
 * Outbound connection failures: fetch's `TypeError: fetch failed` with a coded cause, or a raw
 * socket error (http.request, ioredis). A fetch failure with an unknown cause (a bad URL, a
 * blocked port) is left alone: that is our configuration, an internal error.
 */
export function classifyNetwork(error: unknown): ToolError | undefined {
  const kind = networkKind(error);
  return kind === undefined ? undefined : externalServiceError({ kind, cause: error });
}
