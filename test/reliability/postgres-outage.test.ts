import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startPostgres, type PostgresInstance } from "../../scripts/cluster/postgres-instance.js";
import { deadlineSignal, pollUntil, withDeadline } from "../helpers/deadline.js";
import { connectClient } from "../helpers/mcp-client.js";
import { inspectToolResult, scratchDirs } from "../helpers/reliability-http.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";

/**
 * PostgreSQL stopped under a running server: /ready turns 503 naming postgres, tool calls answer a
 * guided external_service_error (postgres, retryable, no stack) within their deadline instead of
 * hanging, and once PostgreSQL is back the same server, without a restart, is ready and serves.
 */

const FLIP_DEADLINE_MS = 10_000;
const dirs = scratchDirs("resilient-mcp-pg-outage-");
let postgres: PostgresInstance;
let server: RunningServer;

interface ReadyBody {
  checks: Record<string, string>;
  problems?: Record<string, { reason: string; message: string }>;
}

async function ready(): Promise<{ status: number; body: ReadyBody }> {
  const response = await fetch(new URL("/ready", server.url), { signal: deadlineSignal("GET /ready") });
  return { status: response.status, body: (await response.json()) as ReadyBody };
}

function readyBecomes(status: number) {
  return pollUntil(
    `/ready answering ${status}`,
    async () => {
      const answer = await ready();
      return answer.status === status ? answer : undefined;
    },
    FLIP_DEADLINE_MS,
  );
}

describe("the server on PostgreSQL when PostgreSQL stops and comes back", { timeout: 90_000 }, () => {
  before(async () => {
    postgres = await startPostgres();
    server = await startServer({
      DATA_DIR: dirs.make(),
      DATABASE_URL: postgres.url,
      DATABASE_CONNECT_TIMEOUT_MS: "1000",
      DATABASE_LEASE_MS: "3000",
      STORE_PROBE_INTERVAL_MS: "200",
      DEPLOY_QUEUED_MS: "1000",
      DEPLOY_RUN_MS: "300",
    });
  });
  after(async () => {
    await server.close();
    await postgres.stop();
    dirs.removeAll();
  });

  it("answers 503 naming postgres and guided retryable errors, then recovers alone", async () => {
    const { client } = await connectClient(server.mcpUrl);
    try {
      const call = () =>
        withDeadline("get_user", client.callTool({ name: "get_user", arguments: { user_id: "1" } }), 10_000);
      assert.equal(inspectToolResult(await call()).kind, "success");
      assert.equal((await ready()).status, 200);

      // A deployment whose start falls inside the outage: its step fails, and must not stay stuck.
      const store = server.services.backends.store;
      const deployment = await store.startDeployment("web-frontend", "staging");

      await postgres.pause();
      const down = await readyBecomes(503);
      assert.equal(down.body.checks.postgres, "failing");
      assert.match(down.body.problems?.postgres?.message ?? "", /PostgreSQL does not answer/);

      const started = Date.now();
      const failed = await call();
      const outcome = inspectToolResult(failed);
      assert.equal(outcome.kind, "error");
      const error = (failed.structuredContent as { error: Record<string, unknown> }).error;
      assert.equal(error.type, "external_service_error");
      assert.equal(error.service, "postgres");
      assert.equal(error.kind, "connection_failed");
      assert.equal((error.retry as { should_retry: boolean }).should_retry, true, "a retry can help later");
      assert.match(String(error.suggestion), /call get_user again/);
      assert.doesNotMatch(
        JSON.stringify(failed),
        /\bat .*\.(ts|js):\d+|node_modules|\/tmp\//,
        "no stack or path",
      );
      assert.ok(Date.now() - started < 5000, "answered within the connect timeout, not hanging");

      // Keep PostgreSQL down past the deployment's start, so that step fails and must be retried.
      const startDue = Date.parse(deployment.createdAt) + 1000;
      await pollUntil(
        "the deployment's start to fail while PostgreSQL is down",
        () =>
          Promise.resolve(
            Date.now() > startDue + 300 &&
              server.logs.find({ msg: "deployment engine step failed" }).length > 0
              ? true
              : undefined,
          ),
        FLIP_DEADLINE_MS,
      );
      await postgres.resume();
      await readyBecomes(200);
      assert.equal(inspectToolResult(await call()).kind, "success", "served again without a restart");
      const finished = await store.waitForDeployment(deployment.id, {
        signal: deadlineSignal("the deployment"),
      });
      assert.equal(finished.status, "succeeded", "the deployment carried on once PostgreSQL was back");
    } finally {
      await client.close();
    }
  });
});
