import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { findSimilar } from "../errors/similar-matches.js";
import type { ProductTools } from "./tool-dispatch.js";
import type { ToolRunner } from "../tools/tool-runner.js";

/** Presents the tool runner to the MCP layer: listings as SDK tools, calls as envelopes. */
export function productToolsFrom(runner: ToolRunner): ProductTools {
  const listing: readonly Tool[] = runner.list().map((tool) => ({ ...tool }));
  return {
    list: () => listing,
    has: (name) => runner.has(name),
    call: (name, args, context) => runner.call(name, args, context),
    nearest: (name, candidates) => findSimilar(name, candidates, { limit: 3 }),
  };
}
