import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { DATA_FILE_NAME } from "../../src/backends/store/sqlite-store.js";
import { deadlineSignal, pollUntil } from "../helpers/deadline.js";
import { connectClient } from "../helpers/mcp-client.js";
import { inspectToolResult, scratchDirs } from "../helpers/reliability-http.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";

/**
 * /ready tells the truth about the store: a full store, a data file moved, replaced or deleted
 * under the running server, and writes failing on the disk each turn it 503 naming the reason
 * within 10 s, and it turns 200 again once the fault is removed. A deployment whose steps failed
 * meanwhile finishes once the store heals.
 */

const FLIP_DEADLINE_MS = 10_000;
const dirs = scratchDirs("resilient-mcp-ready-");
const servers: RunningServer[] = [];

async function serve(env: Record<string, string> = {}): Promise<RunningServer> {
  const server = await startServer({ DATA_DIR: dirs.make(), STORE_PROBE_INTERVAL_MS: "200", ...env });
  servers.push(server);
  return server;
}

interface ReadyAnswer {
  readonly status: number;
  readonly body: {
    status: string;
    checks: Record<string, string>;
    problems?: Record<string, { reason: string; message: string }>;
  };
}

async function ready(server: RunningServer): Promise<ReadyAnswer> {
  const response = await fetch(new URL("/ready", server.url), { signal: deadlineSignal("GET /ready") });
  return { status: response.status, body: (await response.json()) as ReadyAnswer["body"] };
}

/** Waits until /ready answers `status` (with `reason` when 503), within the 10 s the issue allows. */
async function readyBecomes(server: RunningServer, status: number, reason?: string): Promise<ReadyAnswer> {
  return pollUntil(
    `/ready answering ${status}${reason === undefined ? "" : ` (${reason})`}`,
    async () => {
      const answer = await ready(server);
      if (answer.status !== status) return undefined;
      if (reason !== undefined && answer.body.problems?.store?.reason !== reason) return undefined;
      return answer;
    },
    FLIP_DEADLINE_MS,
  );
}

function dataFile(server: RunningServer): string {
  return path.join(server.services.config.store.dataDir, DATA_FILE_NAME);
}

async function storeCheckMetric(server: RunningServer): Promise<string | undefined> {
  const text = await (
    await fetch(new URL("/metrics", server.url), { signal: deadlineSignal("GET /metrics") })
  ).text();
  return /^mcp_server_readiness_check\{check="store"\} (\d)$/m.exec(text)?.[1];
}

/** The value of a label-less metric, as /metrics shows it. */
async function metricLine(server: RunningServer, name: string): Promise<string | undefined> {
  const text = await server.services.metrics.registry.getSingleMetricAsString(name);
  return new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1];
}

function chattr(flag: "+i" | "-i", ...files: string[]): boolean {
  try {
    execFileSync("chattr", [flag, ...files], { stdio: "ignore", timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

describe("readiness follows the store's health", { timeout: 90_000 }, () => {
  after(async () => {
    for (const server of servers) await server.close();
    dirs.removeAll();
  });

  it("a full store: 503 no_space, then 200 once space is freed", async () => {
    const seeded = await serve();
    const dir = seeded.services.config.store.dataDir;
    await seeded.close();
    const server = await serve({
      DATA_DIR: dir,
      DATA_MAX_BYTES: String(statSync(path.join(dir, DATA_FILE_NAME)).size + 256 * 1024),
    });
    assert.equal((await ready(server)).status, 200);
    const { client } = await connectClient(server.mcpUrl);
    try {
      // Fill it: big batches while they fit, then single items until not even one fits.
      let next = 0;
      const batch = (size: number) =>
        Array.from({ length: size }, () => {
          next += 1;
          return {
            id: `fill-${next}`,
            name: `Filler ${next}`,
            description: "x".repeat(2000),
            price_cents: 1,
          };
        });
      for (const size of [40, 10, 1]) {
        for (;;) {
          const result = await client.callTool(
            { name: "import_records", arguments: { items: batch(size) } },
            undefined,
            {
              timeout: 20_000,
            },
          );
          const outcome = inspectToolResult(result);
          if (outcome.kind !== "error") continue;
          const type = (result.structuredContent as { error: { type: string } }).error.type;
          assert.equal(type, "internal_error", "only a full store stops the import");
          break;
        }
      }
    } finally {
      await client.close();
    }
    const full = await readyBecomes(server, 503, "no_space");
    assert.equal(full.body.checks.store, "failing");
    assert.match(full.body.problems?.store?.message ?? "", /DATA_MAX_BYTES/);
    assert.equal(await storeCheckMetric(server), "0");
    assert.equal(server.logs.find({ msg: "store is failing: not ready", reason: "no_space" }).length, 1);

    // An operator frees space (deleting rows frees pages for reuse inside the file).
    const side = new Database(dataFile(server));
    try {
      side.prepare("DELETE FROM items WHERE id LIKE 'fill-%'").run();
    } finally {
      side.close();
    }
    await readyBecomes(server, 200);
    assert.equal(await storeCheckMetric(server), "1");
    assert.equal(server.logs.find({ msg: "store recovered: ready", was: "no_space" }).length, 1);
  });

  it("the data file moved away: 503 file_deleted; moved back: 200", async () => {
    const server = await serve();
    const file = dataFile(server);
    renameSync(file, `${file}.moved`);
    const gone = await readyBecomes(server, 503, "file_deleted");
    assert.match(gone.body.problems?.store?.message ?? "", /deleted while open/);
    renameSync(`${file}.moved`, file);
    await readyBecomes(server, 200);
  });

  it("the data file replaced by a copy: 503 file_replaced, which only a restart clears", async () => {
    const server = await serve();
    const file = dataFile(server);
    copyFileSync(file, `${file}.copy`);
    renameSync(`${file}.copy`, file);
    const replaced = await readyBecomes(server, 503, "file_replaced");
    assert.match(replaced.body.problems?.store?.message ?? "", /Restart the server/);
  });

  it("the data file deleted: 503 file_deleted; a restart serves a new store", async () => {
    const server = await serve();
    const dir = server.services.config.store.dataDir;
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dataFile(server)}${suffix}`, { force: true });
    await readyBecomes(server, 503, "file_deleted");
    await server.close();
    const restarted = await serve({ DATA_DIR: dir });
    assert.equal((await ready(restarted)).status, 200);
  });

  it("writes failing on the disk: 503 write_failed; a stalled deployment finishes once writes work again", async (t) => {
    const server = await serve({ DEPLOY_QUEUED_MS: "300", DEPLOY_RUN_MS: "300" });
    const wal = `${dataFile(server)}-wal`;
    const { client } = await connectClient(server.mcpUrl);
    try {
      const started = await client.callTool({
        name: "deploy_application",
        arguments: { app_name: "web-frontend", environment: "staging" },
      });
      const deploymentId = (started.structuredContent as { data: { deployment_id: string } }).data
        .deployment_id;
      if (!chattr("+i", wal)) {
        t.skip("needs chattr +i (root on ext4) to make the write-ahead log unwritable");
        return;
      }
      try {
        const failing = await readyBecomes(server, 503, "write_failed");
        assert.match(failing.body.problems?.store?.message ?? "", /SQLITE_IOERR/);
        // The engine's step fails every try (3, 500 ms apart) and stalls.
        await pollUntil(
          "the deployment engine to stall",
          async () =>
            (await metricLine(server, "deployment_engine_stalled_deployments")) === "1" ? true : undefined,
          FLIP_DEADLINE_MS,
        );
      } finally {
        chattr("-i", wal);
      }
      await readyBecomes(server, 200);
      const status = await pollUntil(
        "the stalled deployment to finish",
        async () => {
          const result = await client.callTool({
            name: "check_deployment_status",
            arguments: { deployment_id: deploymentId },
          });
          const current = (result.structuredContent as { data: { status: string } }).data.status;
          return current === "succeeded" || current === "failed" ? current : undefined;
        },
        FLIP_DEADLINE_MS,
      );
      assert.equal(status, "succeeded");
      assert.ok(
        Number(await metricLine(server, "deployment_engine_failures_total")) >= 3,
        "every try counted",
      );
      assert.equal(await metricLine(server, "deployment_engine_stalled_deployments"), "0");
    } finally {
      await client.close();
    }
  });
});
