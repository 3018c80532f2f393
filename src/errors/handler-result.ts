import type { DegradationWarning } from "./degradation.js";
import type { ToolStep } from "./recovery-steps.js";

/**
 * What a handler may return besides plain data: a success with extras (degraded, warnings,
 * metadata, next_steps) or a batch. A private symbol marks them, so no plain data object can be
 * mistaken for one and the runner never guesses from field names.
 */
export const RESULT_KIND: unique symbol = Symbol("resilient-mcp.result-kind");

/** How complete a result is; the envelope's metadata fields, open to more. */
export interface ResultMetadata {
  readonly components_requested?: readonly string[];
  readonly components_returned?: readonly string[];
  readonly completeness?: number;
  readonly [key: string]: unknown;
}

/** An optional part that failed: logged by the runner with its stack, never sent. */
export interface ComponentFailure {
  readonly component: string;
  readonly error: unknown;
}

/** The extras a success may carry. */
export interface SuccessExtras {
  readonly degraded?: boolean;
  readonly warnings?: readonly DegradationWarning[];
  readonly metadata?: ResultMetadata;
  readonly next_steps?: readonly ToolStep[];
  readonly failures?: readonly ComponentFailure[];
}

/** A success with extras. */
export interface SuccessResult<T> extends SuccessExtras {
  readonly [RESULT_KIND]: "success";
  readonly data: T;
}

/** A success with extras: `return success(data, { next_steps: [...] })`. */
export function success<T>(data: T, extras: SuccessExtras = {}): SuccessResult<T> {
  return { [RESULT_KIND]: "success", data, ...extras };
}

/** True for values built by `success()`. */
export function isSuccessResult(value: unknown): value is SuccessResult<unknown> {
  return (
    typeof value === "object" && value !== null && RESULT_KIND in value && value[RESULT_KIND] === "success"
  );
}

/** One processed item of a batch. */
export type BatchItemOutcome<R> =
  | { readonly ok: true; readonly item: string; readonly result: R }
  | { readonly ok: false; readonly item: string; readonly error: unknown };

/** A batch: per-item outcomes with their raw errors, classified and aggregated by the runner. */
export interface BatchResult<R> {
  readonly [RESULT_KIND]: "batch";
  /** The field naming the item in results and errors ("file" for process_files). */
  readonly itemKey: string;
  readonly outcomes: readonly BatchItemOutcome<R>[];
}

/** Wraps per-item outcomes; `runBatch` builds one for you. */
export function batchResult<R>(outcomes: readonly BatchItemOutcome<R>[], itemKey = "item"): BatchResult<R> {
  return { [RESULT_KIND]: "batch", itemKey, outcomes };
}

/** True for values built by `batchResult()` or `runBatch()`. */
export function isBatchResult(value: unknown): value is BatchResult<unknown> {
  return (
    typeof value === "object" && value !== null && RESULT_KIND in value && value[RESULT_KIND] === "batch"
  );
}
