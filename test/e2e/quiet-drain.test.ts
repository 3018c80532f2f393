import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { duplicateKeys } from "../helpers/duplicate-keys.js";
import { deadlineSignal, pollUntil, withDeadline } from "../helpers/deadline.js";
import { connectClient } from "../helpers/mcp-client.js";
import { initializeBody, mcpHeaders } from "../helpers/mcp-requests.js";
import { spawnServer } from "../helpers/server-process.js";

/**
 * A normal stop under a load balancer polling /ready five times a second: during
 * SHUTDOWN_DELAY_MS /ready answers 503 while calls and new sessions are still served; then new
 * sessions are refused, the in-flight call finishes, the process exits 0 — and no line of the
 * whole run is at error level or carries a stack.
 */

const DELAY_MS = 1500;

async function post(base: URL, body: unknown): Promise<number> {
  const response = await fetch(new URL("/mcp", base), {
    method: "POST",
    headers: mcpHeaders,
    body: JSON.stringify(body),
    signal: deadlineSignal("POST /mcp initialize"),
  });
  await response.text();
  return response.status;
}

describe("quiet drain", { timeout: 60_000 }, () => {
  it("polling sees not-ready while everything is still served, then a drain, and no error-level line", async () => {
    const server = await spawnServer({
      LOG_LEVEL: "debug",
      // A deployment that outlasts the delay: waiting for it is the call in flight during the drain.
      DEPLOY_QUEUED_MS: "200",
      DEPLOY_RUN_MS: "3000",
      SHUTDOWN_DELAY_MS: String(DELAY_MS),
      SHUTDOWN_GRACE_MS: "5000",
    });
    const base = new URL("/", server.mcpUrl);
    const polls: { at: number; status: number }[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        try {
          const response = await fetch(new URL("/ready", base), {
            signal: deadlineSignal("GET /ready", 2000),
          });
          await response.text();
          polls.push({ at: Date.now(), status: response.status });
        } catch {
          // The process has gone: nothing answers any more.
        }
        await delay(200);
      }
    })();
    try {
      const { client } = await connectClient(server.mcpUrl);
      const deployed = await client.callTool({
        name: "deploy_application",
        arguments: { app_name: "web-frontend", environment: "staging" },
      });
      const deploymentId = (deployed.structuredContent as { data: { deployment_id: string } }).data
        .deployment_id;
      await delay(300);
      const signalledAt = Date.now();
      server.child.kill("SIGTERM");
      // Not ready at once...
      await pollUntil(
        "a poll answered 503 after SIGTERM",
        () =>
          Promise.resolve(polls.some((poll) => poll.at > signalledAt && poll.status === 503) || undefined),
        DELAY_MS,
        50,
      );
      // ...while calls and new sessions are still served.
      const served = await client.callTool({ name: "get_user", arguments: { user_id: "1" } });
      assert.notEqual(served.isError, true);
      assert.equal(await post(base, initializeBody()), 200, "new sessions are served during the delay");
      assert.ok(Date.now() - signalledAt < DELAY_MS, "still inside the delay");
      // After the delay: new sessions refused, the in-flight call finishes.
      const call = client.callTool(
        { name: "wait_for_deployment", arguments: { deployment_id: deploymentId } },
        undefined,
        { timeout: 20_000 },
      );
      await delay(DELAY_MS - (Date.now() - signalledAt) + 100);
      assert.equal(await post(base, initializeBody()), 503, "new sessions are refused once draining");
      const finished = await withDeadline("the in-flight call to finish during the drain", call, 15_000);
      assert.notEqual(finished.isError, true, JSON.stringify(finished.structuredContent));
      assert.equal((finished.structuredContent as { data: { status: string } }).data.status, "succeeded");
      assert.equal(await server.exited(), 0);
      await client.close().catch(() => undefined);
    } finally {
      polling = false;
      await poller;
      if (server.child.exitCode === null) server.child.kill("SIGKILL");
    }

    assert.ok(polls.filter((poll) => poll.status === 503).length >= 3, "load balancers had time to notice");
    const lines = server.output
      .join("")
      .split("\n")
      .filter((line) => line.trim() !== "");
    const parsed = lines.map((line) => {
      assert.deepEqual(duplicateKeys(line), [], line);
      return JSON.parse(line) as Record<string, unknown>;
    });
    const loud = parsed.filter((line) => line.level === "error" || line.level === "fatal");
    assert.deepEqual(loud, [], "no error-level line in a normal drain");
    assert.ok(
      lines.every((line) => !line.includes('"stack"')),
      "no stack in a normal drain",
    );
    const refusals = parsed.filter(
      (line) => (line.res as { statusCode?: number } | undefined)?.statusCode === 503,
    );
    assert.ok(refusals.length >= 4, "the 503s are logged");
    assert.ok(
      refusals.every((line) => line.level === "info"),
      "503s while stopping are info",
    );
    assert.ok(parsed.some((line) => line.msg === "stopping: not ready, still serving"));
    assert.ok(parsed.some((line) => line.msg === "stopped"));
  });
});
