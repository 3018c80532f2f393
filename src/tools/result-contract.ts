import { internalError } from "../errors/classify.js";
import {
  isBatchResult,
  isSuccessResult,
  success,
  type BatchItemOutcome,
  type BatchResult,
  type SuccessResult,
} from "../errors/handler-result.js";
import type { ToolError } from "../errors/tool-error.js";
import type { AnyToolDefinition } from "./tool-definition.js";
import { parseQuietly } from "./parse-quietly.js";

/** A handler's return value after checking it against what its tool declares. */
export type CheckedResult =
  | { readonly kind: "success"; readonly result: SuccessResult<unknown> }
  | { readonly kind: "batch"; readonly batch: BatchResult<unknown> }
  | { readonly kind: "breach"; readonly error: ToolError };

/**
 * Holds a handler to its declared contract: a batch tool returns a batch, others do not; data
 * passes the output schema (which also strips undeclared fields, as the published schema
 * promises); each batch item's result passes the item schema (a bad item fails alone).
 */
export async function checkResult(tool: AnyToolDefinition, value: unknown): Promise<CheckedResult> {
  if (isBatchResult(value)) {
    if (!tool.batch) return breach(tool.name, "returned a batch but declares no batch schema");
    return { kind: "batch", batch: await checkBatchItems(tool, value) };
  }
  if (tool.batch) return breach(tool.name, "declares a batch schema but returned no batch");
  const result: SuccessResult<unknown> = isSuccessResult(value) ? value : success(value);
  if (!tool.output) return { kind: "success", result };
  const checked = await parseQuietly(tool.output, result.data);
  if (!checked.success) return breach(tool.name, "returned data its output schema rejects", checked.error);
  return { kind: "success", result: { ...result, data: checked.data } };
}

/** A tool broke its own declared contract: a programmer error, so internal and masked. */
export function contractBreach(tool: string, what: string, cause?: unknown): ToolError {
  return internalError(new Error(`Tool ${tool} ${what}`, cause === undefined ? undefined : { cause }));
}

function breach(tool: string, what: string, cause?: unknown): CheckedResult {
  return { kind: "breach", error: contractBreach(tool, what, cause) };
}

async function checkBatchItems(
  tool: AnyToolDefinition,
  batch: BatchResult<unknown>,
): Promise<BatchResult<unknown>> {
  const item = tool.batch?.item;
  if (!item) return batch;
  const outcomes = await Promise.all(
    batch.outcomes.map(async (outcome): Promise<BatchItemOutcome<unknown>> => {
      if (!outcome.ok) return outcome;
      const checked = await parseQuietly(item, outcome.result);
      return checked.success
        ? { ...outcome, result: checked.data }
        : {
            ok: false,
            item: outcome.item,
            error: contractBreach(tool.name, "returned an item its batch schema rejects", checked.error),
          };
    }),
  );
  return { ...batch, outcomes };
}
