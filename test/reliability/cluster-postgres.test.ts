import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { attachPostgres } from "../../scripts/cluster/postgres-instance.js";
import { runningReplicaPid, startCluster, type RunningCluster } from "../helpers/cluster-process.js";
import { deadlineSignal, pollUntil, withDeadline } from "../helpers/deadline.js";
import type { HttpAnswer } from "../helpers/mcp-http-session.js";
import { connectClient } from "../helpers/mcp-client.js";
import { callTool } from "../helpers/modern-requests.js";

/**
 * The cluster of `npm run cluster` with its PostgreSQL: deployments live in the shared database, so
 * any replica behind nginx reads, waits for and cancels a deployment another replica started; a
 * replica killed mid-wait and PostgreSQL stopped mid-run are answers a client can recover from.
 */

interface ToolEnvelope {
  success: boolean;
  data?: { deployment_id?: string; status?: string };
  error?: { type?: string; service?: string; retry?: { should_retry?: boolean }; suggestion?: string };
}

/** One stateless tool call through nginx: the envelope and which replica answered. */
async function callThroughNginx(cluster: RunningCluster, name: string, args: Record<string, unknown>) {
  const answer = await callTool(cluster.mcpUrl, name, args);
  assert.equal(answer.status, 200, answer.text);
  return { envelope: envelopeOf(answer), replica: answer.headers.get("x-upstream-addr") ?? "none" };
}

function envelopeOf(answer: HttpAnswer): ToolEnvelope {
  const response = answer.messages.find((message: { id?: unknown }) => message.id !== undefined) as
    { result?: { structuredContent?: ToolEnvelope } } | undefined;
  const envelope = response?.result?.structuredContent;
  assert.ok(envelope !== undefined, `a tool result with structuredContent: ${answer.text}`);
  return envelope;
}

/** Repeats `name` until a replica other than `not` answers it (round-robin gets there in a few). */
async function callOnAnotherReplica(
  cluster: RunningCluster,
  not: string,
  name: string,
  args: Record<string, unknown>,
) {
  return pollUntil(`${name} answered by a replica other than ${not}`, async () => {
    const answer = await callThroughNginx(cluster, name, args);
    return answer.replica === not ? undefined : answer;
  });
}

describe("replicas behind nginx sharing one PostgreSQL", { timeout: 110_000 }, () => {
  let cluster: RunningCluster;

  before(async () => {
    cluster = await startCluster({
      CLUSTER_REPLICAS: "3",
      STORE_PROBE_INTERVAL_MS: "300",
      REPLICA_HEARTBEAT_MS: "500",
      DATABASE_CONNECT_TIMEOUT_MS: "1000",
      DATABASE_LEASE_MS: "3000",
      // Long enough to read and cancel it from other replicas, and to kill one mid-wait.
      DEPLOY_QUEUED_MS: "3000",
      DEPLOY_RUN_MS: "4000",
    });
  });

  after(async () => {
    await cluster?.stop();
  });

  it("prints the PostgreSQL it started and gives it to every replica", async () => {
    assert.ok((cluster.pids.get("postgres") ?? 0) > 0, "a PID postgres line");
    assert.match(cluster.databaseUrl, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/resilient_mcp$/);
    const ready = await fetch(`${cluster.url}/ready`, { signal: deadlineSignal("/ready") });
    const body = (await ready.json()) as { checks: Record<string, string> };
    assert.equal(body.checks.postgres, "ok", JSON.stringify(body));
  });

  it("a deployment started via one replica is read and cancelled via others", async () => {
    const started = await callThroughNginx(cluster, "deploy_application", {
      app_name: "web-frontend",
      environment: "staging",
    });
    assert.equal(started.envelope.success, true, JSON.stringify(started.envelope));
    const deploymentId = started.envelope.data?.deployment_id ?? "";
    const read = await callOnAnotherReplica(cluster, started.replica, "check_deployment_status", {
      deployment_id: deploymentId,
    });
    assert.equal(read.envelope.success, true, JSON.stringify(read.envelope));
    assert.equal(read.envelope.data?.deployment_id, deploymentId);
    const cancelled = await callOnAnotherReplica(cluster, started.replica, "cancel_deployment", {
      deployment_id: deploymentId,
    });
    assert.equal(cancelled.envelope.success, true, JSON.stringify(cancelled.envelope));
    assert.equal(cancelled.envelope.data?.status, "cancelled");
    // Every replica now sees the cancellation (none keeps a stale copy).
    const seenBy = new Set<string>();
    await pollUntil("every replica reporting the deployment cancelled", async () => {
      const status = await callThroughNginx(cluster, "check_deployment_status", {
        deployment_id: deploymentId,
      });
      assert.equal(status.envelope.data?.status, "cancelled", JSON.stringify(status.envelope));
      seenBy.add(status.replica);
      return seenBy.size === 3 ? true : undefined;
    });
  });

  it("a replica SIGKILLed during wait_for_deployment: the SDK client gets the result or a retryable error within 10 s, and the deployment stays reachable", async (t) => {
    const redis = new Redis(cluster.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    const { client } = await connectClient(cluster.mcpUrl);
    try {
      const deployed = await withDeadline(
        "deploy_application",
        client.callTool({
          name: "deploy_application",
          arguments: { app_name: "web-frontend", environment: "staging" },
        }),
      );
      const deploymentId = (deployed.structuredContent as ToolEnvelope).data?.deployment_id ?? "";
      assert.notEqual(deploymentId, "", JSON.stringify(deployed));
      const settled = client
        .callTool({ name: "wait_for_deployment", arguments: { deployment_id: deploymentId } })
        .then(
          (result) => ({ result: result.structuredContent as ToolEnvelope }),
          (error: unknown) => ({ error: error as { message?: string; data?: { should_retry?: boolean } } }),
        );
      const pid = await withDeadline(
        "the replica running wait_for_deployment recorded it in Redis",
        runningReplicaPid(redis),
      );
      const killedAt = Date.now();
      process.kill(pid, "SIGKILL");
      const outcome = await withDeadline("the answer to the wait whose replica was killed", settled, 10_000);
      const elapsedMs = Date.now() - killedAt;
      assert.ok(elapsedMs < 10_000, `answered ${elapsedMs} ms after the kill`);
      t.diagnostic(`${"error" in outcome ? "retryable error" : "result"} ${elapsedMs} ms after the kill`);
      if ("error" in outcome) {
        assert.equal(outcome.error.data?.should_retry, true, JSON.stringify(outcome.error));
      } else {
        assert.equal(outcome.result.success, true, JSON.stringify(outcome.result));
        assert.equal(outcome.result.data?.deployment_id, deploymentId);
      }
      // Reachable by id from every replica still running (nginx skips the dead one).
      const survivors = new Set<string>();
      await pollUntil("the deployment read by both surviving replicas", async () => {
        const status = await callThroughNginx(cluster, "check_deployment_status", {
          deployment_id: deploymentId,
        });
        assert.equal(status.envelope.success, true, JSON.stringify(status.envelope));
        survivors.add(status.replica);
        return survivors.size === 2 ? true : undefined;
      });
    } finally {
      await client.close();
      redis.disconnect();
    }
  });

  it("PostgreSQL stopped mid-run: a guided external_service_error; restarted: the replicas recover alone", async () => {
    assert.ok(cluster.postgres !== undefined, "the cluster recorded where its PostgreSQL lives");
    const postgres = attachPostgres(cluster.postgres);
    await postgres.pause();
    try {
      await pollUntil("/ready through nginx naming postgres as failing", async () => {
        const res = await fetch(`${cluster.url}/ready`, { signal: deadlineSignal("/ready") });
        const body = (await res.json()) as { checks: Record<string, string> };
        return res.status === 503 && body.checks.postgres === "failing" ? true : undefined;
      });
      const failed = await pollUntil("get_user failing on postgres", async () => {
        const answer = await callThroughNginx(cluster, "get_user", { user_id: 1 });
        return answer.envelope.success ? undefined : answer.envelope;
      });
      assert.equal(failed.error?.type, "external_service_error", JSON.stringify(failed));
      assert.equal(failed.error?.service, "postgres");
      assert.equal(failed.error?.retry?.should_retry, true);
      assert.match(failed.error?.suggestion ?? "", /call get_user again/);
      assert.doesNotMatch(JSON.stringify(failed), /\bat .*\.(ts|js):\d+|node_modules|\/tmp\//);
    } finally {
      await postgres.resume();
    }
    const servedBy = new Set<string>();
    await pollUntil("get_user served again by both surviving replicas", async () => {
      const answer = await callThroughNginx(cluster, "get_user", { user_id: 1 });
      if (answer.envelope.success) servedBy.add(answer.replica);
      return servedBy.size === 2 ? true : undefined;
    });
  });
});
