import type { AnyToolDefinition } from "./tool-definition.js";
import type { ToolBackends } from "./tool-backends.js";

/** Being written in a follow-up commit. */
export function createDeploymentTools(_backends: ToolBackends): AnyToolDefinition[] {
  return [];
}
