import assert from "node:assert/strict";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult, Progress } from "@modelcontextprotocol/sdk/types.js";

/** The envelope fields tests read; everything else stays reachable through the index signature. */
export interface TestEnvelope {
  success: boolean;
  data?: any;
  error?: any;
  summary?: any;
  results?: any[];
  errors?: any[];
  error_summary?: any;
  next_steps?: any[];
  warnings?: any[];
  degraded?: boolean;
  metadata?: any;
  [key: string]: any;
}

/**
 * Calls a tool over MCP and returns its envelope, after checking that the text content carries
 * exactly the structured content (clients that drop structuredContent see the same envelope).
 */
export async function callEnvelope(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  options: { onprogress?: (progress: Progress) => void; signal?: AbortSignal } = {},
): Promise<{ result: CallToolResult; envelope: TestEnvelope }> {
  const result = (await client.callTool({ name, arguments: args }, undefined, options)) as CallToolResult;
  const [first] = result.content;
  assert.equal(first?.type, "text");
  const fromText = JSON.parse(first.type === "text" ? first.text : "null") as TestEnvelope;
  assert.deepEqual(result.structuredContent, fromText, "text content and structuredContent agree");
  if (fromText.summary === undefined)
    assert.equal(result.isError === true, !fromText.success, "isError matches");
  return { result, envelope: fromText };
}

/** Follows a recovery or next step: calls the tool it names with its parameters plus `fill`. */
export async function followStep(
  client: Client,
  step: { tool?: string; parameters?: Record<string, unknown> },
  fill: Record<string, unknown> = {},
) {
  assert.ok(step.tool, "the step names a tool");
  return callEnvelope(client, step.tool, { ...(step.parameters ?? {}), ...fill });
}
