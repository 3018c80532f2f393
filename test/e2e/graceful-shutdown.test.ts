import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { connectClient } from "../helpers/mcp-client.js";
import { spawnServer } from "../helpers/server-process.js";

describe("graceful shutdown", () => {
  it("on SIGTERM, finishes the in-flight call, closes sessions and exits 0", async () => {
    const server = await spawnServer({ MCP_CONFORMANCE_FIXTURES: "true", SHUTDOWN_GRACE_MS: "5000" });
    try {
      const { client } = await connectClient(server.mcpUrl);
      let signalled = false;
      const call = client.callTool({ name: "test_tool_with_progress", arguments: {} }, undefined, {
        onprogress: () => {
          // Stop the server while the call is still running (after its first progress step).
          if (!signalled) {
            signalled = true;
            server.child.kill("SIGTERM");
          }
        },
      });
      const result = await call;
      assert.ok(signalled, "SIGTERM was sent mid-call");
      assert.equal(result.isError, undefined);
      assert.equal(await server.exited(), 0);
      const log = server.output.join("");
      assert.match(log, /"msg":"draining"/);
      assert.match(log, /"msg":"stopped"/);
      await client.close().catch(() => undefined);
    } finally {
      if (server.child.exitCode === null) server.child.kill("SIGKILL");
    }
  });

  it("stops with one clear message naming every bad variable when the configuration is invalid", async () => {
    await assert.rejects(spawnServer({ PORT: "seventy", MCP_SESSION_MODE: "sometimes" }), (error: Error) => {
      assert.match(error.message, /exited with 1/);
      assert.match(error.message, /Invalid configuration/);
      assert.match(error.message, /PORT="seventy": expected a whole number/);
      assert.match(error.message, /MCP_SESSION_MODE="sometimes": expected "stateful" or "stateless"/);
      return true;
    });
  });
});
