import { aggregateBatch } from "../errors/batch.js";
import type { ErrorType, ToolOutcome } from "../errors/catalog.js";
import { errorEnvelope, successEnvelope, type Envelope } from "../errors/envelope.js";
import type { BatchResult, SuccessResult } from "../errors/handler-result.js";
import type { ToolError } from "../errors/tool-error.js";
import { toolFailure, type ToolFailure } from "../errors/tool-failure.js";
import { componentFailureLogFields, errorLogFields, itemErrorLogFields } from "./call-log-fields.js";

/*
 * Pure shaping of a finished call: from what the handler returned (already checked against its
 * contract) or the error it met (already given retry advice), to the envelope, the outcome
 * label, the errors to count, the failure block, and the level, message and fields of the
 * call's one log line. No I/O, no clock: the time comes in as `nowMs`.
 */

/** Log levels a call's line can have. */
export type CallLogLevel = "debug" | "info" | "warn" | "error";

/** Everything about a finished call except its reference id and timing. */
export interface ShapedCall {
  readonly envelope: Envelope;
  readonly outcome: ToolOutcome;
  /** The catalog type of a failed call (for a batch where every item failed, the most frequent). */
  readonly errorType?: ErrorType;
  /** Errors to count in mcp_tool_errors_total: one per failed call, or per failed batch item. */
  readonly countedErrors: readonly ErrorType[];
  /** The machine-readable failure block, on failed calls only. */
  readonly failure?: ToolFailure;
  readonly level: CallLogLevel;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** A success, degraded or not. */
export function successOutcome(result: SuccessResult<unknown>): ShapedCall {
  const degraded = result.degraded === true;
  return {
    envelope: successEnvelope(result),
    outcome: degraded ? "degraded" : "success",
    countedErrors: [],
    level: degraded ? "warn" : "info",
    message: degraded ? "tool call degraded" : "tool call succeeded",
    fields: degraded ? { degraded_components: componentFailureLogFields(result.failures ?? []) } : {},
  };
}

/** A batch: an error if every item failed, degraded if some did, else a success. */
export function batchOutcome(batch: BatchResult<unknown>, referenceId: string, nowMs: number): ShapedCall {
  const { envelope, failures } = aggregateBatch(batch, referenceId);
  const types = failures.map(({ error }) => error.type);
  const allFailed = failures.length > 0 && envelope.summary.succeeded === 0;
  const errorType = allFailed ? mostFrequent(types) : undefined;
  return {
    envelope,
    outcome: allFailed ? "error" : failures.length > 0 ? "degraded" : "success",
    ...(errorType === undefined ? {} : { errorType }),
    countedErrors: types,
    ...(errorType === undefined || envelope.error_summary === undefined
      ? {}
      : {
          failure: toolFailure({
            type: errorType,
            suggestion: envelope.error_summary.suggestion,
            referenceId,
            // The same call can succeed only if every item failed on something transient.
            retryable: failures.every(({ error }) => error.retryable),
            nowMs,
          }),
        }),
    level: types.includes("internal_error") ? "error" : failures.length > 0 ? "warn" : "info",
    message: `batch finished: ${envelope.summary.succeeded}/${envelope.summary.total} succeeded`,
    fields: { summary: envelope.summary, item_errors: itemErrorLogFields(failures) },
  };
}

/** A failed call; `error` already carries its retry advice. */
export function errorOutcome(error: ToolError, referenceId: string, nowMs: number): ShapedCall {
  const envelope = errorEnvelope(error, referenceId);
  return {
    envelope,
    outcome: "error",
    errorType: error.type,
    countedErrors: [error.type],
    failure: toolFailure({
      type: error.type,
      kind: error.details.kind,
      suggestion: envelope.error.suggestion,
      referenceId,
      retry: error.details.retry,
      nowMs,
    }),
    // Cancellation is the client's choice, not a failure anyone must look at.
    level: error.type === "internal_error" ? "error" : error.type === "cancelled" ? "info" : "warn",
    message: `tool call failed: ${error.type}`,
    fields: errorLogFields(error),
  };
}

function mostFrequent(types: readonly ErrorType[]): ErrorType {
  const counts = new Map<ErrorType, number>();
  for (const type of types) counts.set(type, (counts.get(type) ?? 0) + 1);
  let best: ErrorType = "internal_error";
  let bestCount = 0;
  for (const [type, count] of counts) {
    if (count > bestCount) {
      best = type;
      bestCount = count;
    }
  }
  return best;
}
