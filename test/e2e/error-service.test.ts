import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { defineTool } from "../../src/tools/tool-definition.js";
import { connectClient } from "../helpers/mcp-client.js";
import { callEnvelope } from "../helpers/tool-calls.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";
import { deadlineSignal } from "../helpers/deadline.js";

/** A developer's own tool that fails unexpectedly, with a secret and a path in its message. */
const brokenTool = defineTool({
  name: "summarise_report",
  description: "Test tool: always throws an unexpected error.",
  annotations: { readOnlyHint: true },
  input: z.object({}),
  handler: () => {
    throw new Error("open /srv/secret/reports/q3.db failed: password=hunter2");
  },
});

describe("the error service over MCP", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({}, { extraTools: [brokenTool] });
  });
  after(async () => {
    await server.close();
  });

  it("answers wrong types, a missing field and an out-of-range value with one validation_error naming each", async () => {
    const { client } = await connectClient(server.mcpUrl);
    const { result, envelope } = await callEnvelope(client, "search_files", { path: 42, max_results: 500 });
    assert.equal(result.isError, true);
    assert.equal(envelope.error.type, "validation_error");
    assert.equal(envelope.error.code, -32004);
    const fields = (envelope.error.fields as { field: string }[]).map((issue) => issue.field).sort();
    assert.deepEqual(fields, ["max_results", "path", "query"]);
    assert.ok(envelope.error.suggestion.length > 0);
    assert.match(envelope.error.reference_id, /^ref_[0-9A-Z]{16}$/);
    await client.close();
  });

  it("masks an unexpected throw as internal_error whose reference id finds the stack in the log", async () => {
    const { client } = await connectClient(server.mcpUrl);
    const { envelope, result } = await callEnvelope(client, "summarise_report", {});
    const text = JSON.stringify(result);
    assert.equal(envelope.error.type, "internal_error");
    assert.equal(envelope.error.code, -32603);
    const referenceId = envelope.error.reference_id as string;
    assert.ok(envelope.error.message.includes(referenceId));
    assert.doesNotMatch(text, /hunter2|\/srv\/secret|q3\.db|\s+at\s/);
    const logged = server.logs.lines.filter((line) => line.reference_id === referenceId);
    assert.equal(logged.length, 1, "one log line per call");
    const [line] = logged;
    assert.equal(line?.level, "error");
    assert.equal(line?.tool, "summarise_report");
    assert.equal(line?.error_type, "internal_error");
    assert.equal(typeof line?.duration_ms, "number");
    assert.match(JSON.stringify(line?.err), /hunter2/, "the log keeps the real message for humans");
    assert.match(JSON.stringify(line?.err), /at .*error-service\.test\.ts/, "the log keeps the stack");
    await client.close();
  });

  it("answers an unknown tool with -32602 suggesting the nearest tool", async () => {
    const { client } = await connectClient(server.mcpUrl);
    await assert.rejects(
      client.callTool({ name: "get_usr", arguments: { user_id: "1" } }),
      (error: unknown) => {
        assert.ok(error instanceof McpError);
        assert.equal(error.code, -32602);
        assert.match(error.message, /Did you mean: "get_user"\?/);
        return true;
      },
    );
    await client.close();
  });

  it("counts errors by tool and type on /metrics", async () => {
    const { client } = await connectClient(server.mcpUrl);
    const metric = async () => {
      const text = await (
        await fetch(new URL("/metrics", server.url), { signal: deadlineSignal("GET /metrics") })
      ).text();
      const match = /mcp_tool_errors_total\{tool="get_user",type="not_found"\} (\d+)/.exec(text);
      return { count: Number(match?.[1]), text };
    };
    const before = await metric();
    assert.equal(before.count, 0, "series exist at zero before the first error");
    await callEnvelope(client, "get_user", { user_id: "99" });
    const afterCall = await metric();
    assert.equal(afterCall.count, 1);
    assert.match(afterCall.text, /mcp_tool_calls_total\{tool="get_user",outcome="error"\} 1/);
    assert.match(
      afterCall.text,
      /mcp_server_operation_duration_seconds_count\{mcp_method_name="tools\/call",gen_ai_tool_name="get_user",error_type="tool_error"\} 1/,
    );
    assert.doesNotMatch(
      afterCall.text,
      /tool="get_usr"|gen_ai_tool_name="get_usr"/,
      "no user input as a label",
    );
    await client.close();
  });

  it("lists every tool with a description, annotations and an output schema the SDK client checks", async () => {
    const { client } = await connectClient(server.mcpUrl);
    const { tools } = await client.listTools();
    for (const tool of tools) {
      assert.ok((tool.description ?? "").length > 20, `${tool.name} has a description`);
      assert.ok(tool.annotations, `${tool.name} has annotations`);
      assert.equal(tool.outputSchema?.type, "object", `${tool.name} has an output schema`);
    }
    await client.close();
  });
});
