import { setTimeout as delay } from "node:timers/promises";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import type { McpRequestExtra } from "../raw-tool.js";

/** The inputSchema of a tool that takes no arguments; clients may omit `arguments` entirely. */
export const NO_ARGUMENTS: Tool["inputSchema"] = { type: "object", properties: {} };

/** A successful result carrying one text block. */
export function textResult(text: string): CallToolResult {
  return { content: [{ type: "text", text }] };
}

/** A tool-level failure: the call completed, but the model should read `text` as an error. */
export function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: "text", text }] };
}

/** The named argument when it is a string, otherwise undefined (missing and mistyped are treated alike). */
export function stringArgument(args: Record<string, unknown>, name: string): string | undefined {
  const value = args[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * Waits `ms`, but gives up as soon as the client cancels the call, so a cancelled fixture does not
 * keep sending notifications on a request nobody is waiting for.
 */
export async function pause(ms: number, extra: McpRequestExtra): Promise<void> {
  await delay(ms, undefined, { signal: extra.signal });
}

/** The message of anything thrown, for putting into a tool result. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
