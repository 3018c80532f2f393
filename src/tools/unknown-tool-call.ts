import type { Logger } from "pino";
import { UnknownToolError } from "../errors/unknown-tool-error.js";
import { UNKNOWN_TOOL } from "../observability/metric-labels.js";
import type { ToolCallMetrics } from "../observability/tool-call-metrics.js";
import type { RegisteredTool, ToolRegistry } from "./tool-registry.js";

/** What counting and logging an unknown tool takes. */
export interface UnknownToolDeps {
  readonly registry: ToolRegistry;
  readonly metrics: ToolCallMetrics;
  readonly logger: Logger;
}

/** The call as its log line names it. */
export interface CalledTool {
  readonly name: string;
  readonly referenceId: string;
  readonly requestId: string | undefined;
  readonly principalId: string;
}

/**
 * The registered tool, or an UnknownToolError carrying this call's reference id: counted and
 * logged like any failed call (the tool label is "unknown", a closed value), then thrown for the
 * protocol layer to answer with JSON-RPC -32602.
 */
export function registeredOrThrow(deps: UnknownToolDeps, call: CalledTool): RegisteredTool {
  try {
    return deps.registry.get(call.name);
  } catch (error) {
    if (!(error instanceof UnknownToolError)) throw error;
    const unknown = new UnknownToolError(call.name, error.similarTools, call.referenceId);
    deps.metrics.count(UNKNOWN_TOOL, "error", ["validation_error"]);
    deps.logger.warn(
      {
        reference_id: call.referenceId,
        tool: unknown.toolName,
        ...(call.requestId === undefined ? {} : { request_id: call.requestId }),
        outcome: "error",
        principal: call.principalId,
        error_type: "validation_error",
        error_code: unknown.code,
        similar_tools: unknown.similarTools,
      },
      "tool call failed: unknown tool",
    );
    throw unknown;
  }
}
