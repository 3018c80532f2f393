import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { connectClient } from "../helpers/mcp-client.js";
import {
  disconnectMidStream,
  healthStatus,
  inspectToolResult,
  openRawSession,
  rawToolCall,
  scratchDirs,
  type RawSession,
} from "../helpers/reliability-http.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";

/**
 * Clients that go away mid-call: the HTTP connection of a streaming process_files or
 * wait_for_deployment call is dropped, or the SDK client cancels. The server must stay healthy,
 * release the request, keep the session usable and let background work (the deployment) go on.
 */

const ROUNDS = 10;
const FILES = ["README.md", "data/sales-2023.csv", "data/sales-2024.csv", "data/customers.json", "nope.txt"];

function streamingCall(id: number, name: string, args: Record<string, unknown>): string {
  return JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name, arguments: args, _meta: { progressToken: `p-${id}` } },
  });
}

/** Polls until `check` holds or `ms` pass; returns whether it held. */
async function eventually(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await delay(50);
  }
  return check();
}

describe("clients disconnecting mid-stream", { timeout: 60_000 }, () => {
  let server: RunningServer;
  let session: RawSession;
  let base: URL;
  let nextId = 100;
  const dataDirs = scratchDirs("resilient-mcp-disconnect");

  before(async () => {
    // 20 calls of 100 files in a second or two on purpose: that burst is past the default tool budget.
    server = await startServer({
      DATA_DIR: dataDirs.make(),
      DEPLOY_QUEUED_MS: "200",
      DEPLOY_RUN_MS: "1500",
      RATE_LIMIT_TOOL_COST: "0",
    });
    base = server.url;
    session = await openRawSession(base);
  });
  after(async () => {
    await server.close();
    dataDirs.removeAll();
  });

  const sessionStillWorks = async () => {
    const id = (nextId += 1);
    const { response, message } = await rawToolCall(base, session, id, "get_user", { user_id: "1" });
    assert.equal(response.status, 200, response.text);
    assert.equal(inspectToolResult(message.result).kind, "success");
  };

  it(`process_files: dropping the connection after the first event (${ROUNDS}×) leaves the server and session well`, async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const file_paths = Array.from({ length: 100 }, (_, i) => FILES[i % FILES.length]!);
      const { status, firstChunk } = await disconnectMidStream(
        base,
        session.headers,
        streamingCall((nextId += 1), "process_files", { file_paths, operation: "analyze" }),
      );
      assert.equal(status, 200);
      assert.match(firstChunk, /^(event|id|data|retry):/m, "the answer was an SSE stream");
      // Also gone before any answer was written.
      await disconnectMidStream(
        base,
        session.headers,
        streamingCall((nextId += 1), "process_files", { file_paths, operation: "analyze" }),
        "sent",
      );
    }
    assert.ok(await eventually(() => server.services.lifecycle.inFlight === 0), "every request was released");
    await sessionStillWorks();
    assert.equal(await healthStatus(base), 200);
  });

  it("wait_for_deployment: dropping the connection mid-wait stops the wait, not the deployment", async () => {
    const deployIds: string[] = [];
    for (const app of ["web-frontend", "api-gateway", "billing-service"]) {
      const id = (nextId += 1);
      const { message } = await rawToolCall(base, session, id, "deploy_application", {
        app_name: app,
        environment: "development",
      });
      assert.equal(inspectToolResult(message.result).kind, "success", JSON.stringify(message));
      const deploymentId = String(message.result.structuredContent.data.deployment_id);
      deployIds.push(deploymentId);
      const { status, firstChunk } = await disconnectMidStream(
        base,
        session.headers,
        streamingCall((nextId += 1), "wait_for_deployment", { deployment_id: deploymentId }),
      );
      assert.equal(status, 200);
      assert.match(firstChunk, /progress|data:/, "the wait had started streaming");
    }
    assert.ok(
      await eventually(() => server.services.lifecycle.inFlight === 0),
      "the dropped waits were released",
    );
    await sessionStillWorks();
    // The deployments themselves went on to finish.
    for (const deploymentId of deployIds) {
      const finished = await eventually(async () => {
        const { message } = await rawToolCall(base, session, (nextId += 1), "check_deployment_status", {
          deployment_id: deploymentId,
        });
        return ["succeeded", "failed"].includes(String(message?.result?.structuredContent?.data?.status));
      }, 10_000);
      assert.ok(finished, `deployment ${deploymentId} finished after its waiter left`);
    }
  });

  /** Deploys, starts a wait with the SDK client, cancels it at its first progress notification. */
  async function cancelledWait(client: Client): Promise<void> {
    const deployed: any = await client.callTool({
      name: "deploy_application",
      arguments: { app_name: "web-frontend", environment: "staging" },
    });
    const deploymentId = String(deployed.structuredContent.data.deployment_id);
    const controller = new AbortController();
    const waiting = client.callTool(
      { name: "wait_for_deployment", arguments: { deployment_id: deploymentId } },
      undefined,
      {
        signal: controller.signal,
        onprogress: () => {
          controller.abort(new Error("the user gave up"));
        },
      },
    );
    await assert.rejects(waiting, /gave up|abort/i);
    // Let the deployment end, so the next round can deploy again.
    await eventually(async () => {
      const status: any = await client.callTool({
        name: "check_deployment_status",
        arguments: { deployment_id: deploymentId },
      });
      return ["succeeded", "failed"].includes(String(status.structuredContent?.data?.status));
    }, 10_000);
  }

  it("SDK client cancelling a wait: the call is recorded as cancelled and the same session goes on", async () => {
    const { client, transport } = await connectClient(server.mcpUrl);
    try {
      await cancelledWait(client);
      const after: any = await client.callTool({ name: "get_user", arguments: { user_id: "2" } });
      assert.equal(inspectToolResult(after).kind, "success");
      const cancelledLogged = await eventually(
        () => server.logs.find({ tool: "wait_for_deployment", error_type: "cancelled" }).length > 0,
      );
      assert.ok(cancelledLogged, "the server recorded the call as cancelled");
    } finally {
      await transport.terminateSession();
      await client.close();
    }
  });

  it("SDK client cancelling a wait: the cancelled call's HTTP request is released", async () => {
    const { client, transport } = await connectClient(server.mcpUrl);
    try {
      await cancelledWait(client);
      assert.ok(
        await eventually(() => server.services.lifecycle.inFlight === 0),
        `the cancelled call's request was released (in flight: ${server.services.lifecycle.inFlight})`,
      );
    } finally {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    }
  });

  it("after all that: healthy, nothing logged at error level, the session count is right", async () => {
    assert.equal(await healthStatus(base), 200);
    assert.ok(
      await eventually(() => server.services.lifecycle.inFlight === 0),
      `nothing is left in flight once the sessions ended (${server.services.lifecycle.inFlight})`,
    );
    const errors = server.logs.lines.filter((line) => Number(line.level) >= 50);
    assert.deepEqual(
      errors.map((line) => line.msg),
      [],
      "dropped connections are not server errors",
    );
    // The raw session is still open; the SDK clients ended theirs (DELETE).
    assert.equal(server.services.endpoint.sessions?.size, 1);
  });
});
