import type { StepTarget } from "../errors/recovery-steps.js";
import { findSimilar } from "../errors/similar-matches.js";
import { UnknownToolError, comparableToolName } from "../errors/unknown-tool-error.js";
import type { AnyToolDefinition } from "./tool-definition.js";
import { toolListing, type ToolListing } from "./tool-listing.js";

/** A tool as the runner holds it: its definition and what is computed once from it. */
export interface RegisteredTool {
  readonly tool: AnyToolDefinition;
  /** Its tools/list entry. */
  readonly listing: ToolListing;
  /** It takes an `attempt` argument, so retry advice can name the next attempt. */
  readonly takesAttempt: boolean;
}

/** The served tools by name; the one place an unknown name is turned into UnknownToolError. */
export interface ToolRegistry {
  /** tools/list entries, in registration order, computed once. */
  readonly listings: readonly ToolListing[];
  /** What recovery and next steps may target: every served tool. */
  readonly stepTargets: ReadonlyMap<string, StepTarget>;
  readonly names: readonly string[];
  has(name: string): boolean;
  /** The tool, or UnknownToolError naming the nearest served tools. */
  get(name: string): RegisteredTool;
}

/** Fails fast on duplicate names and on schemas JSON Schema cannot express. */
export function createToolRegistry(tools: readonly AnyToolDefinition[]): ToolRegistry {
  const byName = new Map<string, RegisteredTool>();
  for (const tool of tools) {
    if (byName.has(tool.name)) throw new Error(`Two tools are named "${tool.name}"`);
    byName.set(tool.name, {
      tool,
      listing: toolListing(tool),
      takesAttempt: "attempt" in tool.input.shape,
    });
  }
  const names = Object.freeze([...byName.keys()]);
  return {
    listings: Object.freeze([...byName.values()].map((entry) => entry.listing)),
    stepTargets: new Map([...byName.values()].map(({ tool }) => [tool.name, tool] as const)),
    names,
    has: (name) => byName.has(name),
    get(name) {
      const entry = byName.get(name);
      if (entry !== undefined) return entry;
      throw new UnknownToolError(name, findSimilar(comparableToolName(name), names, { limit: 3 }));
    },
  };
}
