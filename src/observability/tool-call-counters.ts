import { Counter, type Registry } from "prom-client";

/** The error service's counters: every tools/call once, and every error by catalog type. */
export interface ToolCallCounters {
  /** mcp_tool_calls_total{gen_ai_tool_name, outcome}: outcome is success | error | degraded. */
  readonly toolCalls: Counter<"gen_ai_tool_name" | "outcome">;
  /** mcp_tool_errors_total{gen_ai_tool_name, error_type}: one per error (per failed batch item). */
  readonly toolErrors: Counter<"gen_ai_tool_name" | "error_type">;
}

/** Registers both counters; the tool runner creates their series at zero for every tool. */
export function toolCallCounters(registry: Registry): ToolCallCounters {
  return {
    toolCalls: new Counter({
      name: "mcp_tool_calls_total",
      help: 'Tool calls by tool and outcome (success, error, degraded); unknown tool names count as gen_ai_tool_name="unknown"',
      labelNames: ["gen_ai_tool_name", "outcome"],
      registers: [registry],
    }),
    toolErrors: new Counter({
      name: "mcp_tool_errors_total",
      help: "Tool errors by tool and error-catalog type (one per failed item of a batch)",
      labelNames: ["gen_ai_tool_name", "error_type"],
      registers: [registry],
    }),
  };
}
