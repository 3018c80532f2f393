import { ERROR_TYPES, TOOL_OUTCOMES, type ErrorType, type ToolOutcome } from "../errors/catalog.js";
import type { Metrics } from "../observability/metrics.js";

/** The runner's counters: every tools/call of a served tool counted once, errors by type. */
export interface CallMetrics {
  count(tool: string, outcome: ToolOutcome, errors: readonly ErrorType[]): void;
}

/**
 * The one place the runner touches metrics. Every {tool, outcome} and {tool, type} series starts
 * at zero, so rates exist before the first error.
 */
export function createCallMetrics(
  metrics: Pick<Metrics, "toolCalls" | "toolErrors">,
  toolNames: readonly string[],
): CallMetrics {
  for (const tool of toolNames) {
    for (const outcome of TOOL_OUTCOMES) metrics.toolCalls.inc({ tool, outcome }, 0);
    for (const type of ERROR_TYPES) metrics.toolErrors.inc({ tool, type }, 0);
  }
  return {
    count(tool, outcome, errors) {
      metrics.toolCalls.inc({ tool, outcome });
      for (const type of errors) metrics.toolErrors.inc({ tool, type });
    },
  };
}
