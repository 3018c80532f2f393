import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ClientInputSource } from "../raw-tool.js";
import { registerFixturePrompts } from "./fixture-prompts.js";
import { registerFixtureResources } from "./fixture-resources.js";
import { registerFixtureSubscriptions } from "./fixture-subscriptions.js";

export { createConformanceFixtureTools, type ConformanceFixtureOptions } from "./fixture-tools.js";
export { logLevelAllows, type LogLevelGate } from "./log-level.js";

/**
 * Adds the conformance resources, resource template, prompts, completion and subscriptions to a
 * per-session server. Call before connect (it declares capabilities). Tools are deliberately left
 * out: the host owns tools/list and tools/call and merges `createConformanceFixtureTools()` in.
 */
export function registerConformanceFixtures(mcp: McpServer, inputFor: ClientInputSource): void {
  registerFixtureResources(mcp);
  registerFixturePrompts(mcp, inputFor);
  registerFixtureSubscriptions(mcp);
}
