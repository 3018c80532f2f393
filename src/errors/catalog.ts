/**
 * The one table of tool error types. Every tool failure the server reports carries exactly one of
 * these types; the type is the stable key clients branch on and the `type` label of
 * `mcp_tool_errors_total`, so the set is closed. docs/errors.md is tested against this file.
 *
 * Codes: -32000…-32004 are the codes clients of MCP error envelopes know, a contract.
 * -32005…-32008 are ours, picked from the same custom range right after them so they cannot
 * collide. These codes only ever appear inside a tool result (`error.code`), never as a JSON-RPC
 * error code, so the SDK's own protocol use of -32000/-32001 and MCP's -32002 for resources/read
 * do not clash with them.
 */

/** Every tool error type, in documentation order. */
export const ERROR_TYPES = [
  "validation_error",
  "not_found",
  "permission_denied",
  "rate_limited",
  "external_service_error",
  "already_exists",
  "conflict",
  "cancelled",
  "timeout",
  "internal_error",
] as const;

/** A tool error type: a closed union, safe as a metric label. */
export type ErrorType = (typeof ERROR_TYPES)[number];

/**
 * Whether calling again can succeed: a fixed answer, or (for external services) one that depends
 * on the kind of failure.
 */
export type Retryability = boolean | "by_kind";

/** One row of the catalog. */
export interface ErrorCatalogEntry {
  readonly type: ErrorType;
  readonly code: number;
  readonly title: string;
  readonly retryable: Retryability;
  /** Used when the thrower gives no suggestion of its own; written for a model. */
  readonly suggestion: string;
  /** When the type is used; this is the "when" column of docs/errors.md. */
  readonly description: string;
}

/** The catalog, keyed by type. */
export const ERROR_CATALOG: { readonly [T in ErrorType]: ErrorCatalogEntry & { readonly type: T } } = {
  validation_error: {
    type: "validation_error",
    code: -32004,
    title: "Validation failed",
    retryable: false,
    suggestion: "Correct the arguments named in the error and call the tool again.",
    description:
      "Arguments do not match the tool's input schema, or a value is well-formed but not acceptable.",
  },
  not_found: {
    type: "not_found",
    code: -32000,
    title: "Resource not found",
    retryable: false,
    suggestion: "Check the identifier; if similar_matches are listed, use one of them.",
    description: "The record, file, application or version named in the arguments does not exist.",
  },
  permission_denied: {
    type: "permission_denied",
    code: -32001,
    title: "Permission denied",
    retryable: false,
    suggestion: "Do not retry: ask the user for the missing permission or choose another resource.",
    description:
      "The caller lacks a permission, the path leaves the workspace or is a refused symlink, or the store is read-only.",
  },
  rate_limited: {
    type: "rate_limited",
    code: -32002,
    title: "Rate limited",
    retryable: true,
    suggestion: "Wait retry.retry_after_seconds, then call the tool again.",
    description: "This server's limiter or an upstream service (HTTP 429) refused the call for now.",
  },
  external_service_error: {
    type: "external_service_error",
    code: -32003,
    title: "External service error",
    retryable: "by_kind",
    suggestion: "Follow retry.should_retry: wait and retry if true, otherwise change the request.",
    description:
      "An upstream API, Redis or another service failed; `kind` says how and decides whether a retry can help.",
  },
  already_exists: {
    type: "already_exists",
    code: -32005,
    title: "Resource already exists",
    retryable: false,
    suggestion:
      "Use the existing resource (update it instead of creating it) or choose a different identifier.",
    description: "A create would duplicate an existing record (unique constraint, existing file).",
  },
  conflict: {
    type: "conflict",
    code: -32006,
    title: "Conflict with current state",
    retryable: true,
    suggestion: "Another operation holds this resource: wait for it to finish, then call the tool again.",
    description:
      "The resource is busy or in a state that forbids the operation (deployment in progress, locked database).",
  },
  cancelled: {
    type: "cancelled",
    code: -32007,
    title: "Cancelled",
    retryable: false,
    suggestion: "The client cancelled this call; call the tool again only if the result is still needed.",
    description: "The client cancelled the request (notifications/cancelled) before the tool finished.",
  },
  timeout: {
    type: "timeout",
    code: -32008,
    title: "Timed out",
    retryable: true,
    suggestion: "Retry once; if it times out again, ask for less at once (fewer items, a narrower range).",
    description:
      "The tool exceeded its time budget, or an operation it bounded itself timed out without naming a service.",
  },
  internal_error: {
    type: "internal_error",
    code: -32603,
    title: "Internal error",
    retryable: false,
    suggestion:
      "This is a fault in the server, not in the arguments: retrying the same call is unlikely to help. Report the reference id to the operator.",
    description:
      "Anything unexpected: a bug or a server fault needing an operator. The message is masked; details are logged under the reference id.",
  },
};

/** How an external service failed, carried as `kind` on external_service_error. */
export const EXTERNAL_SERVICE_KINDS = [
  "server_error",
  "timeout",
  "connection_failed",
  "circuit_open",
  "client_error",
  "bad_response",
] as const;

/** A kind of external service failure. */
export type ExternalServiceKind = (typeof EXTERNAL_SERVICE_KINDS)[number];

/** One row of the external-service kind table. */
export interface ExternalServiceKindEntry {
  readonly kind: ExternalServiceKind;
  readonly retryable: boolean;
  readonly suggestion: string;
  readonly description: string;
}

/** Retryability and wording of each external-service kind. */
export const EXTERNAL_SERVICE_KIND_CATALOG: {
  readonly [K in ExternalServiceKind]: ExternalServiceKindEntry & { readonly kind: K };
} = {
  server_error: {
    kind: "server_error",
    retryable: true,
    suggestion: "The service is having problems; wait and retry.",
    description: "The service answered with HTTP 5xx, or a Redis server reported a transient state.",
  },
  timeout: {
    kind: "timeout",
    retryable: true,
    suggestion: "The service was too slow to answer; wait and retry.",
    description: "Connecting to, or waiting for, the service took too long.",
  },
  connection_failed: {
    kind: "connection_failed",
    retryable: true,
    suggestion: "The service could not be reached; wait and retry.",
    description: "Connection refused or reset, DNS failure, socket closed.",
  },
  circuit_open: {
    kind: "circuit_open",
    retryable: true,
    suggestion: "Calls to the service are paused after repeated failures; wait and retry later.",
    description: "This server stopped calling the service for a while after repeated failures.",
  },
  client_error: {
    kind: "client_error",
    retryable: false,
    suggestion:
      "The service rejected the request; change the arguments (e.g. the endpoint) instead of retrying.",
    description: "The service answered HTTP 4xx (other than 408/429) or refused our credentials.",
  },
  bad_response: {
    kind: "bad_response",
    retryable: false,
    suggestion:
      "The service answered with data that could not be understood; retrying is unlikely to help now.",
    description: "The response body was not valid JSON or did not have the expected shape.",
  },
};

/** Tool call outcomes: the `outcome` label of `mcp_tool_calls_total`. */
export const TOOL_OUTCOMES = ["success", "error", "degraded"] as const;

/** A tool call outcome. */
export type ToolOutcome = (typeof TOOL_OUTCOMES)[number];

/** True if `value` names a catalog type (for narrowing strings read from outside). */
export function isErrorType(value: unknown): value is ErrorType {
  return typeof value === "string" && (ERROR_TYPES as readonly string[]).includes(value);
}

/** Whether an error of this type (and kind, for external services) can succeed when retried. */
export function isRetryable(type: ErrorType, kind?: ExternalServiceKind): boolean {
  const retryable = ERROR_CATALOG[type].retryable;
  if (retryable !== "by_kind") return retryable;
  // An external failure of unknown kind is treated as a transient server error.
  return EXTERNAL_SERVICE_KIND_CATALOG[kind ?? "server_error"].retryable;
}

/** The suggestion an error gets when its thrower gave none: the kind's, else the type's. */
export function defaultSuggestion(type: ErrorType, kind?: ExternalServiceKind): string {
  return type === "external_service_error" && kind !== undefined
    ? EXTERNAL_SERVICE_KIND_CATALOG[kind].suggestion
    : ERROR_CATALOG[type].suggestion;
}
