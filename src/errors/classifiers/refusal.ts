import { RefusalError } from "../../domain/refusal.js";
import { phraseRefusal } from "../refusal-wording.js";
import type { ToolError } from "../tool-error.js";

/** A domain refusal a tool did not phrase itself: the shared wording, with the refusal as cause. */
export function classifyRefusal(error: unknown): ToolError | undefined {
  return error instanceof RefusalError ? phraseRefusal(error.refusal, error) : undefined;
}
