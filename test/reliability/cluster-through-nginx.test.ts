import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { startRedis, type RedisInstance } from "../../scripts/cluster/redis-instance.js";
import {
  runningReplicaPid,
  startCluster,
  upstreamRecordingFetch,
  type RunningCluster,
} from "../helpers/cluster-process.js";
import { deadlineSignal, withDeadline } from "../helpers/deadline.js";
import { connectClient } from "../helpers/mcp-client.js";
import { callTool } from "../helpers/modern-requests.js";

/**
 * The cluster of `npm run cluster` (redis-server, three replicas, nginx round-robin with no
 * stickiness), driven through nginx by real clients, as users would.
 */
describe("replicas behind nginx", { timeout: 110_000 }, () => {
  let cluster: RunningCluster;
  /** An upstream API that takes every request and never answers: a call that runs until killed. */
  let silentUpstream: Server;
  let restartedRedis: RedisInstance | undefined;
  let upstreamCalls = 0;

  before(async () => {
    silentUpstream = createServer(() => {
      upstreamCalls += 1;
    });
    await new Promise<void>((resolve) => silentUpstream.listen(0, "127.0.0.1", resolve));
    const upstreamPort = (silentUpstream.address() as AddressInfo).port;
    cluster = await startCluster({
      CLUSTER_REPLICAS: "3",
      LOG_LEVEL: "info",
      UPSTREAM_BASE_URL: `http://127.0.0.1:${upstreamPort}`,
      UPSTREAM_TIMEOUT_MS: "60000",
      UPSTREAM_MAX_RETRIES: "0",
      STORE_PROBE_INTERVAL_MS: "300",
      REPLICA_HEARTBEAT_MS: "500",
    });
  });

  after(async () => {
    await cluster?.stop();
    await restartedRedis?.stop();
    silentUpstream?.closeAllConnections();
    silentUpstream?.close();
  });

  it("prints one PID line per process it started, and the nginx URL", () => {
    assert.deepEqual([...cluster.pids.keys()].sort(), [
      "nginx",
      "postgres",
      "redis",
      "replica-1",
      "replica-2",
      "replica-3",
    ]);
    assert.match(cluster.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("serves one 2025 session (the official SDK client) from several replicas", async () => {
    const upstreams = new Set<string>();
    const { client } = await connectClient(cluster.mcpUrl, { fetch: upstreamRecordingFetch(upstreams) });
    try {
      for (let call = 0; call < 6; call += 1) {
        const result = await withDeadline(
          `get_user call ${call} through nginx`,
          client.callTool({ name: "get_user", arguments: { user_id: 1 } }),
        );
        assert.equal(
          (result.structuredContent as { success?: boolean }).success,
          true,
          JSON.stringify(result),
        );
      }
      assert.equal(
        upstreams.size,
        3,
        `round-robin spread the session over every replica; only ${[...upstreams].join(",")}`,
      );
    } finally {
      await client.close();
    }
  });

  it("spreads 2026-era stateless requests across replicas", async () => {
    const upstreams = new Set<string>();
    for (let call = 0; call < 6; call += 1) {
      const answer = await callTool(cluster.mcpUrl, "get_user", { user_id: 1 });
      assert.equal(answer.status, 200, answer.text);
      upstreams.add(answer.headers.get("x-upstream-addr") ?? "none");
    }
    assert.equal(
      upstreams.size,
      3,
      `every replica served some of the requests; only ${[...upstreams].join(",")}`,
    );
  });

  it("a replica SIGKILLed during a long call: the SDK client resumes through nginx and gets a retryable error within 10 s", async () => {
    const redis = new Redis(redisUrlOf(cluster), { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    const { client } = await connectClient(cluster.mcpUrl);
    try {
      const before = upstreamCalls;
      const call = client.callTool({ name: "fetch_api_data", arguments: { endpoint: "users/1" } });
      const settled = call.then(
        (result) => ({ result }),
        (error: unknown) => ({
          error: error as { code?: number; message?: string; data?: { should_retry?: boolean } },
        }),
      );
      // The call has reached the upstream: its stream (and the priming event to resume from) is open.
      await waitFor("the call to reach the silent upstream", () => Promise.resolve(upstreamCalls > before));
      const pid = await withDeadline(
        "the replica running the call recorded it in Redis",
        runningReplicaPid(redis),
        10_000,
      );
      const killedAt = Date.now();
      process.kill(pid, "SIGKILL");
      const outcome = await withDeadline("the answer to the call whose replica was killed", settled, 10_000);
      const elapsedMs = Date.now() - killedAt;
      assert.ok(
        "error" in outcome,
        `the call cannot have succeeded against a silent upstream: ${JSON.stringify(outcome)}`,
      );
      assert.match(outcome.error.message ?? "", /replica running this request stopped/);
      assert.equal(outcome.error.data?.should_retry, true, JSON.stringify(outcome.error));
      assert.ok(elapsedMs < 10_000, `answered ${elapsedMs} ms after the kill`);
      // The session outlived its replica: the next call on it works.
      const next = await withDeadline(
        "a call after the kill",
        client.callTool({ name: "get_user", arguments: { user_id: 1 } }),
      );
      assert.equal((next.structuredContent as { success?: boolean }).success, true, JSON.stringify(next));
    } finally {
      await client.close();
      redis.disconnect();
    }
  });

  it("Redis stopped: /ready is 503 naming redis and session requests answer 503 with retry guidance; restarted: it recovers alone", async () => {
    const { client, transport } = await connectClient(cluster.mcpUrl);
    const sessionId = transport.sessionId ?? "";
    const redisPid = cluster.pids.get("redis") ?? 0;
    const port = Number(new URL(redisUrlOf(cluster)).port);
    process.kill(redisPid, "SIGKILL");
    try {
      await waitFor("/ready through nginx to name redis as failing", async () => {
        const res = await fetch(`${cluster.url}/ready`, { signal: deadlineSignal("/ready") });
        const body = await res.text();
        return res.status === 503 && body.includes("redis");
      });
      const res = await fetch(cluster.mcpUrl, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json, text/event-stream",
          "Mcp-Session-Id": sessionId,
          "MCP-Protocol-Version": "2025-11-25",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/list" }),
        signal: deadlineSignal("a session request while Redis is down"),
      });
      const body = (await res.json()) as { error?: { data?: { should_retry?: boolean; reason?: string } } };
      assert.equal(res.status, 503, JSON.stringify(body));
      assert.equal(res.headers.get("retry-after"), "2");
      assert.equal(body.error?.data?.reason, "session_registry_unavailable");
      assert.equal(body.error?.data?.should_retry, true);
    } finally {
      await client.close().catch(() => undefined);
    }
    restartedRedis = await startRedis({ port });
    await waitFor("/ready through nginx to be 200 again", async () => {
      const res = await fetch(`${cluster.url}/ready`, { signal: deadlineSignal("/ready") });
      return res.status === 200;
    });
    // Redis kept nothing (no persistence): a new session works on every replica.
    const upstreams = new Set<string>();
    const fresh = await connectClient(cluster.mcpUrl, { fetch: upstreamRecordingFetch(upstreams) });
    try {
      for (let call = 0; call < 3; call += 1) {
        const result = await withDeadline(
          "a call after Redis returned",
          fresh.client.callTool({ name: "get_user", arguments: { user_id: 1 } }),
        );
        assert.equal(
          (result.structuredContent as { success?: boolean }).success,
          true,
          JSON.stringify(result),
        );
      }
    } finally {
      await fresh.client.close();
    }
  });
});

/** The Redis the cluster's replicas use (the cluster printed its pid; its URL is in the state). */
function redisUrlOf(cluster: RunningCluster): string {
  return cluster.redisUrl;
}

/** Polls `check` every 100 ms until it holds; fails after 10 s naming `what`. */
async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not within 10000 ms`);
}
