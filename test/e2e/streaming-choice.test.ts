import assert from "node:assert/strict";
import { EventEmitter, once } from "node:events";
import { after, before, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { McpError, type CallToolResult, type Progress } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { defineTool } from "../../src/tools/tool-definition.js";
import { connectClient } from "../helpers/mcp-client.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";

/**
 * The official SDK client against each way the server may answer a POST (JSON at once, SSE from
 * the start, SSE once the call runs long, JSON only): calls return their results, progress arrives
 * whenever the server streams, and a call cut off by the end of its session fails at once.
 */

/** Emits "started" with the wait of every call of the tool below as it begins. */
const calls = new EventEmitter();

/** A developer's own tool: progress 1 of 2, a wait that honours cancellation, progress 2 of 2. */
const waitTool = defineTool({
  name: "wait_then_answer",
  description: "Test tool: waits the given milliseconds (abortable), reporting progress before and after.",
  annotations: { readOnlyHint: true },
  input: z.object({ ms: z.number().int().min(0).max(20_000) }),
  output: z.object({ waited_ms: z.number() }),
  async handler({ ms }, ctx) {
    calls.emit("started", ms);
    await ctx.reportProgress(1, 2);
    await delay(ms, undefined, { signal: ctx.signal });
    await ctx.reportProgress(2, 2);
    return { waited_ms: ms };
  },
});

const firstText = (result: CallToolResult) => {
  const [first] = result.content;
  return first?.type === "text" ? first.text : undefined;
};

const settings = [
  { name: "default settings (MCP_STREAM_AFTER_MS=1000)", env: {}, streams: true },
  { name: "MCP_STREAM_AFTER_MS=0 (always SSE)", env: { MCP_STREAM_AFTER_MS: "0" }, streams: true },
  { name: "MCP_STREAM_AFTER_MS=50", env: { MCP_STREAM_AFTER_MS: "50" }, streams: true },
  { name: "MCP_JSON_RESPONSE=true", env: { MCP_JSON_RESPONSE: "true" }, streams: false },
] as const;

for (const setting of settings) {
  describe(`the SDK client with ${setting.name}`, () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer(
        { MCP_CONFORMANCE_FIXTURES: "true", SSE_RETRY_MS: "100", ...setting.env },
        { extraTools: [waitTool] },
      );
    });
    after(async () => {
      await server.close();
    });

    it("a plain call returns its result", async () => {
      const { client } = await connectClient(server.mcpUrl);
      try {
        const result = (await client.callTool({ name: "test_simple_text", arguments: {} })) as CallToolResult;
        assert.equal(firstText(result), "This is a simple text response for testing.");
      } finally {
        await client.close();
      }
    });

    it(
      setting.streams
        ? "progress notifications arrive while a fixture tool runs"
        : "the result arrives; progress notifications are dropped",
      async () => {
        const { client } = await connectClient(server.mcpUrl);
        try {
          const progress: Progress[] = [];
          const result = (await client.callTool(
            { name: "test_tool_with_progress", arguments: {} },
            undefined,
            {
              onprogress: (update) => progress.push(update),
            },
          )) as CallToolResult;
          assert.equal(firstText(result), "Progress fixture finished at 100 of 100.");
          const expected = setting.streams ? [0, 50, 100] : [];
          assert.deepEqual(
            progress.map((update) => update.progress),
            expected,
            "the progress the client saw",
          );
          if (setting.streams)
            assert.ok(
              progress.every((update) => update.total === 100),
              "total is 100",
            );
        } finally {
          await client.close();
        }
      },
    );

    it("a developer's tool reports progress, and a silent 200 ms call returns whether it came as JSON or SSE", async () => {
      const { client } = await connectClient(server.mcpUrl);
      try {
        const progress: number[] = [];
        const result = (await client.callTool(
          { name: "wait_then_answer", arguments: { ms: 200 } },
          undefined,
          {
            onprogress: (update) => progress.push(update.progress),
          },
        )) as CallToolResult;
        assert.deepEqual(result.structuredContent, { success: true, data: { waited_ms: 200 } });
        assert.deepEqual(progress, setting.streams ? [1, 2] : [], "the progress the client saw");
        // Without a progress token nothing needs streaming before the answer.
        const silent = (await client.callTool({
          name: "wait_then_answer",
          arguments: { ms: 200 },
        })) as CallToolResult;
        assert.deepEqual(silent.structuredContent, { success: true, data: { waited_ms: 200 } });
      } finally {
        await client.close();
      }
    });

    it("a call cut off by the end of its session fails at once with 'Connection closed'", async () => {
      const { client, transport } = await connectClient(server.mcpUrl);
      try {
        const started = Date.now();
        const running = once(calls, "started", { signal: AbortSignal.timeout(3_000) });
        // The client's own timeout stays short, so a call the server never answers fails fast too.
        const call = client.callTool({ name: "wait_then_answer", arguments: { ms: 10_000 } }, undefined, {
          timeout: 5_000,
        });
        const outcome = call.then(
          () => undefined,
          (error: unknown) => error,
        );
        assert.deepEqual(await running, [10_000], "the call is running on the server");
        await transport.terminateSession();
        const error = await outcome;
        assert.ok(error instanceof McpError, `the call failed with an McpError, got ${String(error)}`);
        assert.equal(error.code, -32000);
        assert.match(error.message, /Connection closed/);
        assert.ok(Date.now() - started < 5_000, "well before the tool would have finished");
      } finally {
        await client.close();
      }
    });
  });
}

describe("the SDK client resumes a stream the server closed, with MCP_STREAM_AFTER_MS=0", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({
      MCP_CONFORMANCE_FIXTURES: "true",
      SSE_RETRY_MS: "100",
      MCP_STREAM_AFTER_MS: "0",
    });
  });
  after(async () => {
    await server.close();
  });

  it("test_reconnection's result is delivered after the client reconnects with Last-Event-ID", async () => {
    const { client } = await connectClient(server.mcpUrl);
    try {
      const result = (await client.callTool({ name: "test_reconnection", arguments: {} })) as CallToolResult;
      assert.equal(
        firstText(result),
        "Reconnection fixture finished after closing its stream; this result was delivered on resume.",
      );
    } finally {
      await client.close();
    }
  });
});
