import { ERROR_TYPES, type ErrorType } from "./catalog.js";
import { classifyError } from "./classify.js";
import { publicMessage, publicSuggestion, type BatchEnvelope, type BatchItemError } from "./envelope.js";
import { batchResult, type BatchItemOutcome, type BatchResult } from "./handler-result.js";
import type { ToolError } from "./tool-error.js";

/** How to process a batch. */
export interface BatchOptions<T> {
  /** The identifier the model knows the item by (a path, an id). */
  readonly key: (item: T, index: number) => string;
  /** The field naming the item in results and errors; "item" unless given ("file" for process_files). */
  readonly itemKey?: string;
  /** Items processed at once; 4 unless given. */
  readonly concurrency?: number;
  /** Stops starting new items once aborted (pass ctx.signal); the runner reports the abort. */
  readonly signal?: AbortSignal;
}

/**
 * Processes every item, continuing past failures (batch aggregation, docs/patterns.md), and returns a batch
 * the runner aggregates. Errors are kept raw here: the runner classifies, counts and logs them.
 */
export async function runBatch<T, R>(
  items: readonly T[],
  process: (item: T, index: number) => Promise<R>,
  options: BatchOptions<T>,
): Promise<BatchResult<R>> {
  const outcomes: BatchItemOutcome<R>[] = new Array<BatchItemOutcome<R>>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      options.signal?.throwIfAborted();
      const index = next++;
      const item = items[index] as T;
      const key = options.key(item, index);
      try {
        outcomes[index] = { ok: true, item: key, result: await process(item, index) };
      } catch (error) {
        outcomes[index] = { ok: false, item: key, error };
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 4, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  options.signal?.throwIfAborted();
  return batchResult(outcomes, options.itemKey);
}

/** A failed item after classification. */
export interface ClassifiedFailure {
  readonly item: string;
  readonly error: ToolError;
}

/** The batch envelope, and the classified failures for the runner's log and metrics. */
export interface AggregatedBatch {
  readonly envelope: BatchEnvelope;
  readonly failures: readonly ClassifiedFailure[];
}

/**
 * Aggregates outcomes into the batch envelope. `success` is true unless items failed and none
 * succeeded (an empty batch is a success: nothing failed). `recoverable` means "retrying this item
 * unchanged may work" (its error is transient), a rule a model can apply without guessing.
 */
export function aggregateBatch(batch: BatchResult<unknown>, referenceId: string): AggregatedBatch {
  const results: unknown[] = [];
  const failures: ClassifiedFailure[] = [];
  for (const outcome of batch.outcomes) {
    if (outcome.ok) results.push(resultEntry(batch.itemKey, outcome.item, outcome.result));
    else failures.push({ item: outcome.item, error: classifyError(outcome.error) });
  }
  const total = batch.outcomes.length;
  const succeeded = results.length;
  const errors = failures.map(({ item, error }) => itemError(batch.itemKey, item, error, referenceId));
  const envelope: BatchEnvelope = {
    success: !(failures.length > 0 && succeeded === 0),
    summary: {
      total,
      succeeded,
      failed: failures.length,
      success_rate: total === 0 ? 1 : Math.round((succeeded / total) * 100) / 100,
    },
    results,
    errors,
    ...(failures.length === 0
      ? {}
      : {
          error_summary: {
            by_type: countByType(failures),
            recoverable_count: failures.filter(({ error }) => error.retryable).length,
            suggestion: batchSuggestion(failures, succeeded),
          },
        }),
  };
  return { envelope, failures };
}

// What to do about failed items of each type; Record keeps it exhaustive over the catalog.
const ADVICE: Readonly<Record<ErrorType, string>> = {
  validation_error: "fix each as its error describes, then resubmit only those",
  not_found: "these do not exist; check the identifiers (a listing or search tool shows valid ones)",
  permission_denied: "the caller lacks access; do not retry them, ask the user for access instead",
  rate_limited: "rate limited; resubmit only these after waiting",
  external_service_error: "an external service failed; resubmit only these later",
  already_exists: "these already exist; update them instead, or choose new identifiers",
  conflict: "busy with another operation; resubmit only these once it ends",
  cancelled: "not processed because the call was cancelled",
  timeout: "timed out; resubmit only these, in smaller batches",
  internal_error: "failed on a server fault; report the reference id, retrying will not help",
};
const ITEMS_SHOWN = 3;

/**
 * A suggestion from the pattern of failures: every failed type with its count, the items it hit
 * and the action that fixes it, so the model can act on each group instead of "review the errors".
 */
export function batchSuggestion(failures: readonly ClassifiedFailure[], succeeded: number): string {
  if (failures.length === 0) return "";
  const groups = ERROR_TYPES.map((type) => ({
    type,
    items: failures.filter(({ error }) => error.type === type).map(({ item }) => item),
  })).filter((group) => group.items.length > 0);
  const clauses = groups.map(({ type, items }) => {
    const shown = items.slice(0, ITEMS_SHOWN).join(", ");
    const more = items.length > ITEMS_SHOWN ? ` and ${items.length - ITEMS_SHOWN} more` : "";
    return `${items.length} ${type} (${shown}${more}): ${ADVICE[type]}.`;
  });
  const lead =
    succeeded === 0
      ? "No item succeeded."
      : `${succeeded} item${succeeded === 1 ? "" : "s"} succeeded; do not resubmit ${succeeded === 1 ? "it" : "them"}.`;
  return [lead, ...clauses].join(" ");
}

function resultEntry(itemKey: string, item: string, result: unknown): Record<string, unknown> {
  const entry: Record<string, unknown> =
    typeof result === "object" && result !== null && !Array.isArray(result)
      ? { [itemKey]: item, ...(result as Record<string, unknown>) }
      : { [itemKey]: item, result };
  // The item key names the item even if the result had a field of that name.
  entry[itemKey] = item;
  return entry;
}

function itemError(itemKey: string, item: string, error: ToolError, referenceId: string): BatchItemError {
  return {
    [itemKey]: item,
    error_type: error.type,
    code: error.code,
    message: publicMessage(error, referenceId),
    suggestion: publicSuggestion(error, referenceId),
    recoverable: error.retryable,
    ...(error.type === "internal_error" ? { reference_id: referenceId } : {}),
  };
}

function countByType(failures: readonly ClassifiedFailure[]): Partial<Record<ErrorType, number>> {
  const counts: Partial<Record<ErrorType, number>> = {};
  for (const { error } of failures) counts[error.type] = (counts[error.type] ?? 0) + 1;
  return counts;
}
