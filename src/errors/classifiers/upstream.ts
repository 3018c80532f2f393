import type { ExternalServiceKind } from "../catalog.js";
import { ToolError } from "../tool-error.js";
import { cancelled, externalServiceError, rateLimited } from "../transient-errors.js";
import { UpstreamError } from "../upstream-error.js";
import { errorChain, errorName } from "./error-chain.js";
import { networkKind } from "./network.js";

/**
 * Failures a backend marked as a named service's: status first (429, 408, 5xx, 4xx), then the
 * cause (network code, timeout, unparseable body). A cancellation inside stays a cancellation:
 * it is the client's doing, not the service's.
 */
export function classifyUpstream(error: unknown): ToolError | undefined {
  if (!(error instanceof UpstreamError)) return undefined;
  const chain = errorChain(error.cause);
  if (chain.some((link) => errorName(link) === "AbortError")) return cancelled(error);
  if (error.kind === undefined && error.status === 429) {
    return rateLimited({
      service: error.service,
      status_code: 429,
      ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
      cause: error,
    });
  }
  const kind = error.kind ?? kindFromStatus(error.status) ?? kindFromCause(error.cause);
  if (kind === undefined && isUnreachableByConfiguration(error.cause)) {
    // fetch refused before any network I/O (a blocked port, a bad URL): retrying cannot help, the
    // operator must fix the service's configured address. Masked, with the cause in the log.
    return new ToolError("internal_error", `${error.service} cannot be called as configured`, {
      cause: error,
    });
  }
  return externalServiceError({
    service: error.service,
    kind: kind ?? "server_error",
    ...(error.status === undefined ? {} : { status_code: error.status }),
    ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
    cause: error,
  });
}

function kindFromStatus(status: number | undefined): ExternalServiceKind | undefined {
  if (status === undefined) return undefined;
  if (status === 408) return "timeout";
  if (status >= 500) return "server_error";
  if (status >= 400) return "client_error";
  return undefined;
}

function kindFromCause(cause: unknown): ExternalServiceKind | undefined {
  if (cause === undefined) return undefined;
  const network = networkKind(cause);
  if (network !== undefined) return network;
  for (const link of errorChain(cause)) {
    const name = errorName(link);
    if (name === "TimeoutError") return "timeout";
    // The body did not parse, or parsed but had the wrong shape.
    if (name === "SyntaxError" || name === "ZodError") return "bad_response";
  }
  return undefined;
}

/** fetch's own "fetch failed" with no network error code under it: nothing was sent. */
function isUnreachableByConfiguration(cause: unknown): boolean {
  if (!(cause instanceof TypeError) || cause.message !== "fetch failed") return false;
  return (
    networkKind(cause) === undefined && !errorChain(cause).some((link) => errorName(link) === "TimeoutError")
  );
}
