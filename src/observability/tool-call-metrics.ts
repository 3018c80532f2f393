import { ERROR_TYPES, TOOL_OUTCOMES, type ErrorType, type ToolOutcome } from "../errors/catalog.js";
import { UNKNOWN_TOOL } from "./metric-labels.js";
import type { ToolCallCounters } from "./tool-call-counters.js";

export type { ToolCallCounters } from "./tool-call-counters.js";

/** How the tool runner feeds mcp_tool_calls_total and mcp_tool_errors_total. */
export interface ToolCallMetrics {
  /**
   * Creates every {tool, outcome} and {tool, error_type} series at zero, so rates exist before
   * the first call; the unknown-tool series too (its only outcome is an error, a validation_error).
   */
  declare(tools: Iterable<string>): void;
  /** Counts one call: its outcome, and each error it carried (one per failed batch item). */
  count(tool: string, outcome: ToolOutcome, errors: readonly ErrorType[]): void;
}

/** The runner's view of the two counters. */
export function toolCallMetrics(counters: ToolCallCounters): ToolCallMetrics {
  return {
    declare(tools) {
      for (const tool of tools) {
        for (const outcome of TOOL_OUTCOMES) counters.toolCalls.inc({ gen_ai_tool_name: tool, outcome }, 0);
        for (const type of ERROR_TYPES)
          counters.toolErrors.inc({ gen_ai_tool_name: tool, error_type: type }, 0);
      }
      counters.toolCalls.inc({ gen_ai_tool_name: UNKNOWN_TOOL, outcome: "error" }, 0);
      counters.toolErrors.inc({ gen_ai_tool_name: UNKNOWN_TOOL, error_type: "validation_error" }, 0);
    },
    count(tool, outcome, errors) {
      counters.toolCalls.inc({ gen_ai_tool_name: tool, outcome });
      for (const type of errors) counters.toolErrors.inc({ gen_ai_tool_name: tool, error_type: type });
    },
  };
}
