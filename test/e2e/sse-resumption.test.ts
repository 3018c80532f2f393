import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectClient } from "../helpers/mcp-client.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";

describe("SSE resumption (SEP-1699)", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ MCP_CONFORMANCE_FIXTURES: "true", SSE_RETRY_MS: "100" });
  });
  after(async () => {
    await server.close();
  });

  it("a call whose stream the server closes is delivered after the client resumes with Last-Event-ID", async () => {
    const { client } = await connectClient(server.mcpUrl);
    const result = await client.callTool({ name: "test_reconnection", arguments: {} });
    assert.deepEqual(result.content, [
      {
        type: "text",
        text: "Reconnection fixture finished after closing its stream; this result was delivered on resume.",
      },
    ]);
    // The resumed GET stream is logged when it ends, so close the client first.
    await client.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const resumed = server.logs.lines.some(
      (line) =>
        (line.req as { method?: string; headers?: Record<string, string> } | undefined)?.method === "GET" &&
        typeof (line.req as { headers: Record<string, string> }).headers["last-event-id"] === "string",
    );
    assert.ok(resumed, "the client reconnected with a GET carrying Last-Event-ID");
  });
});
