import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError, type Progress } from "@modelcontextprotocol/sdk/types.js";
import { connectClient } from "../helpers/mcp-client.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";
import { deadlineSignal } from "../helpers/deadline.js";

describe("SDK client over Streamable HTTP (stateful)", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ MCP_CONFORMANCE_FIXTURES: "true" });
  });
  after(async () => {
    await server.close();
  });

  it("initializes, lists tools and calls one", async () => {
    const { client, transport } = await connectClient(server.mcpUrl);
    assert.equal(client.getServerVersion()?.name, "resilient-mcp");
    assert.ok(transport.sessionId);
    const { tools } = await client.listTools();
    assert.ok(tools.some((tool) => tool.name === "test_simple_text"));
    const result = await client.callTool({ name: "test_simple_text", arguments: {} });
    assert.deepEqual(result.content, [{ type: "text", text: "This is a simple text response for testing." }]);
    await client.close();
  });

  it("delivers progress notifications on the request's stream", async () => {
    const { client } = await connectClient(server.mcpUrl);
    const seen: Progress[] = [];
    await client.callTool({ name: "test_tool_with_progress", arguments: {} }, undefined, {
      onprogress: (progress) => seen.push(progress),
    });
    assert.deepEqual(
      seen.map((progress) => progress.progress),
      [0, 50, 100],
    );
    assert.ok(seen.every((progress) => progress.total === 100));
    await client.close();
  });

  it("answers an unknown tool with -32602 naming the nearest tool", async () => {
    const { client } = await connectClient(server.mcpUrl);
    await assert.rejects(client.callTool({ name: "test_simple_txt", arguments: {} }), (error: unknown) => {
      assert.ok(error instanceof McpError);
      assert.equal(error.code, -32602);
      assert.match(error.message, /Did you mean: "test_simple_text"/);
      assert.deepEqual((error.data as { similar_tools: string[] }).similar_tools[0], "test_simple_text");
      return true;
    });
    await client.close();
  });

  it("ends a session with DELETE; the old id then gets 404 and a new initialize works", async () => {
    const { client, transport } = await connectClient(server.mcpUrl);
    const sessionId = transport.sessionId!;
    assert.equal(server.services.endpoint.sessions?.get(sessionId) !== undefined, true);
    await transport.terminateSession();
    assert.equal(server.services.endpoint.sessions?.get(sessionId), undefined);
    const stale = await fetch(server.mcpUrl, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json, text/event-stream",
        "Mcp-Session-Id": sessionId,
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
      signal: deadlineSignal("POST /mcp with a forgotten session id"),
    });
    assert.equal(stale.status, 404);
    await client.close();
    const again = await connectClient(server.mcpUrl);
    assert.notEqual(again.transport.sessionId, sessionId);
    await again.client.ping();
    await again.client.close();
  });

  it("after the server forgets a session, the client sees 404 and re-initializes", async () => {
    const { client, transport } = await connectClient(server.mcpUrl);
    const sessionId = transport.sessionId!;
    await server.services.endpoint.sessions?.get(sessionId)?.server.close();
    await assert.rejects(client.listTools(), (error: unknown) => {
      assert.ok(error instanceof StreamableHTTPError);
      assert.equal(error.code, 404);
      return true;
    });
    await client.close().catch(() => undefined);
    const fresh = await connectClient(server.mcpUrl);
    const { tools } = await fresh.client.listTools();
    assert.ok(tools.length > 0);
    await fresh.client.close();
  });
});

describe("SDK client over Streamable HTTP (stateless)", () => {
  it("lists and calls tools with no session", async () => {
    const server = await startServer({ MCP_SESSION_MODE: "stateless", MCP_CONFORMANCE_FIXTURES: "true" });
    try {
      const { client, transport } = await connectClient(server.mcpUrl);
      assert.equal(transport.sessionId, undefined);
      const { tools } = await client.listTools();
      assert.ok(tools.some((tool) => tool.name === "test_simple_text"));
      const result = await client.callTool({ name: "test_simple_text", arguments: {} });
      assert.equal(result.isError, undefined);
      await client.close();
    } finally {
      await server.close();
    }
  });
});
