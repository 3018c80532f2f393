import type { ErrorType, ExternalServiceKind } from "./catalog.js";
import type { RetryGuidance } from "./retry-guidance.js";

/**
 * The machine-readable failure block proposed for MCP tool results (SEP-3313, a draft): the
 * same facts as the error envelope, under names a client can read without knowing this server.
 * Experimental: the envelope stays the contract (see docs/errors.md).
 */

/** Where a failure comes from, as the proposal groups them. */
export const FAILURE_CLASSES = ["capability", "reliability", "governance"] as const;

/** A failure class. */
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** The `_meta` key the block travels under. */
export const TOOL_FAILURE_META_KEY = "io.modelcontextprotocol/toolFailure";

/** The block, as it appears under TOOL_FAILURE_META_KEY. */
export interface ToolFailure {
  readonly class: FailureClass;
  /** The catalog type, e.g. "not_found". */
  readonly code: ErrorType;
  /** True when calling again unchanged can succeed now or later (`retry.should_retry`). */
  readonly retryable: boolean;
  /** ISO 8601 time before which a retry is pointless; only when a retry is advised. */
  readonly retryNotBefore?: string;
  /** The reference id: the same as the envelope's, and the one the log lines carry. */
  readonly correlationId: string;
  /** The envelope's suggestion. */
  readonly agentGuidance: string;
}

/**
 * capability: this request cannot succeed as made (arguments, missing or existing records,
 * state); governance: policy refuses it (permissions); reliability: the system failed or was
 * slow, and the same request may succeed later. Record keeps it exhaustive over the catalog.
 */
const CLASS_OF_TYPE: Readonly<Record<ErrorType, FailureClass>> = {
  validation_error: "capability",
  not_found: "capability",
  permission_denied: "governance",
  rate_limited: "reliability",
  external_service_error: "reliability",
  already_exists: "capability",
  conflict: "capability",
  cancelled: "reliability",
  timeout: "reliability",
  internal_error: "reliability",
};

/** The class of a failure; an external service that rejected our request is about the request. */
export function failureClass(type: ErrorType, kind?: ExternalServiceKind): FailureClass {
  if (type === "external_service_error" && kind === "client_error") return "capability";
  return CLASS_OF_TYPE[type];
}

/** What the block is built from: the envelope's error fields and the call's clock. */
export interface ToolFailureInput {
  readonly type: ErrorType;
  readonly kind?: ExternalServiceKind | undefined;
  readonly suggestion: string;
  readonly referenceId: string;
  readonly retry?: RetryGuidance | undefined;
  /** Used when there is no `retry` object (a batch whose items failed transiently). */
  readonly retryable?: boolean;
  /** Epoch ms of the answer, to turn retry_after_seconds into a time. */
  readonly nowMs: number;
}

/** Builds the block; it never disagrees with the envelope it accompanies. */
export function toolFailure(input: ToolFailureInput): ToolFailure {
  const retryable = input.retry?.should_retry ?? input.retryable ?? false;
  const wait = input.retry?.retry_after_seconds;
  return {
    class: failureClass(input.type, input.kind),
    code: input.type,
    retryable,
    ...(retryable && wait !== undefined
      ? { retryNotBefore: new Date(input.nowMs + wait * 1000).toISOString() }
      : {}),
    correlationId: input.referenceId,
    agentGuidance: input.suggestion,
  };
}
