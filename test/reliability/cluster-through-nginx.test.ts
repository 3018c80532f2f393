import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startCluster, upstreamRecordingFetch, type RunningCluster } from "../helpers/cluster-process.js";
import { withDeadline } from "../helpers/deadline.js";
import { connectClient } from "../helpers/mcp-client.js";
import { callTool } from "../helpers/modern-requests.js";

/**
 * The cluster of `npm run cluster` (redis-server, three replicas, nginx round-robin with no
 * stickiness), driven through nginx by real clients, as users would.
 */
describe("replicas behind nginx", { timeout: 110_000 }, () => {
  let cluster: RunningCluster;

  before(async () => {
    cluster = await startCluster({ CLUSTER_REPLICAS: "3", LOG_LEVEL: "info" });
  });

  after(async () => {
    await cluster?.stop();
  });

  it("prints one PID line per process it started, and the nginx URL", () => {
    assert.deepEqual([...cluster.pids.keys()].sort(), [
      "nginx",
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
});
