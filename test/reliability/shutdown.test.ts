import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import Database from "better-sqlite3";
import { DATA_FILE_NAME } from "../../src/backends/store/sqlite-store.js";
import { initializeBody, mcpHeaders } from "../helpers/mcp-requests.js";
import { connectClient } from "../helpers/mcp-client.js";
import {
  inspectToolResult,
  openRawSession,
  rawRequest,
  toolCallBody,
  type RawResponse,
} from "../helpers/reliability-http.js";
import { spawnServer, type ServerProcess } from "../helpers/server-process.js";

/**
 * SIGTERM while batch, import and deployment calls are in flight: calls that fit in the grace
 * period finish with their full result; a deployment that does not is recorded as interrupted
 * (on the next start); nothing is half-written and the process exits 0.
 */

const IMPORT_ITEMS = 800;
// "Did not hang": far beyond the grace periods used here, for a loaded machine.
const SETTLE_BOUND_MS = 20_000;

const dirs: string[] = [];
const servers: ServerProcess[] = [];

function newDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "resilient-mcp-term-"));
  dirs.push(dir);
  return dir;
}

async function start(env: Record<string, string>): Promise<ServerProcess> {
  const server = await spawnServer(env);
  servers.push(server);
  return server;
}

/** Resolves with the promise's outcome, or "hung" after the bound. */
function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown; hung?: true }> {
  return Promise.race([
    promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    delay(SETTLE_BOUND_MS, { hung: true as const }, { ref: false }),
  ]);
}

function deploymentRows(dataDir: string): { id: string; status: string; reason: string | null }[] {
  const db = new Database(path.join(dataDir, DATA_FILE_NAME), { readonly: true });
  try {
    assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
    return db.prepare("SELECT id, status, reason FROM deployments ORDER BY created_at").all() as {
      id: string;
      status: string;
      reason: string | null;
    }[];
  } finally {
    db.close();
  }
}

function countItems(dataDir: string, prefix: string): number {
  const db = new Database(path.join(dataDir, DATA_FILE_NAME), { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM items WHERE id LIKE ?").get(`${prefix}%`) as { n: number })
      .n;
  } finally {
    db.close();
  }
}

describe("SIGTERM with calls in flight", { timeout: 120_000 }, () => {
  after(() => {
    for (const server of servers) {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("within the grace period: the wait, the batch and the import finish whole; new sessions get 503; exit 0", async () => {
    const dataDir = newDataDir();
    const server = await start({
      DATA_DIR: dataDir,
      SHUTDOWN_GRACE_MS: "8000",
      DEPLOY_QUEUED_MS: "300",
      DEPLOY_RUN_MS: "1500",
    });
    const { client } = await connectClient(server.mcpUrl);
    const deployed: any = await client.callTool({
      name: "deploy_application",
      arguments: { app_name: "web-frontend", environment: "staging" },
    });
    const deploymentId = String(deployed.structuredContent.data.deployment_id);

    let signalled = false;
    const sigterm = () => {
      if (signalled) return;
      signalled = true;
      server.child.kill("SIGTERM");
    };
    // SIGTERM goes out at the wait's first progress notification: everything below is in flight.
    const wait = client.callTool(
      { name: "wait_for_deployment", arguments: { deployment_id: deploymentId } },
      undefined,
      { onprogress: sigterm, timeout: 30_000 },
    );
    const batch = client.callTool({
      name: "process_files",
      arguments: {
        file_paths: Array.from({ length: 100 }, (_, i) => (i % 10 === 9 ? `missing-${i}.txt` : "README.md")),
      },
    });
    const items = Array.from({ length: IMPORT_ITEMS }, (_, i) => ({
      id: `term-${i}`,
      name: `Shutdown item ${i}`,
      description: "t".repeat(500),
      price_cents: i,
    }));
    const imported = client.callTool({ name: "import_records", arguments: { items } });

    const [waited, batched, importedResult] = await Promise.all([
      settle(wait),
      settle(batch),
      settle(imported),
    ]);
    assert.ok(signalled, "SIGTERM was sent while the calls were in flight");

    // A new client during the drain is refused with 503 and told when to come back (or finds the port closed).
    let late: RawResponse | undefined;
    try {
      late = await rawRequest(new URL(server.mcpUrl.origin), {
        headers: mcpHeaders,
        body: JSON.stringify(initializeBody()),
      });
    } catch {
      late = undefined;
    }
    if (late !== undefined) {
      assert.equal(late.status, 503, late.text);
      assert.ok(late.headers["retry-after"], "503 carries Retry-After");
      assert.equal(JSON.parse(late.text).error.data.reason, "draining");
    }

    assert.equal(waited.hung, undefined, "the wait settled");
    const waitResult: any = waited.value;
    assert.ok(waitResult, `the wait answered: ${String(waited.error)}`);
    assert.equal(inspectToolResult(waitResult).kind, "success");
    assert.equal(waitResult.structuredContent.data.status, "succeeded");

    const batchResult: any = batched.value;
    assert.ok(batchResult, `the batch answered: ${String(batched.error)}`);
    assert.equal(inspectToolResult(batchResult).kind, "batch");
    assert.deepEqual(batchResult.structuredContent.summary, {
      total: 100,
      succeeded: 90,
      failed: 10,
      success_rate: 0.9,
    });

    const importResult: any = importedResult.value;
    assert.ok(importResult, `the import answered: ${String(importedResult.error)}`);
    assert.equal(inspectToolResult(importResult).kind, "success");

    assert.equal(await server.exited(), 0);
    const log = server.output.join("");
    assert.match(log, /"msg":"draining"/);
    assert.match(log, /"msg":"stopped"/);
    assert.doesNotMatch(log, /grace period over/);
    await client.close().catch(() => undefined);

    assert.equal(countItems(dataDir, "term-"), IMPORT_ITEMS, "the acknowledged import is whole");
    const rows = deploymentRows(dataDir);
    assert.deepEqual(
      rows.map((row) => row.status),
      ["succeeded"],
    );
  });

  it("past the grace period: the deployment is recorded as interrupted on restart; the wait does not hang; exit 0", async () => {
    const dataDir = newDataDir();
    const server = await start({
      DATA_DIR: dataDir,
      SHUTDOWN_GRACE_MS: "1000",
      DEPLOY_QUEUED_MS: "100",
      DEPLOY_RUN_MS: "60000",
    });
    const { client } = await connectClient(server.mcpUrl);
    const deployed: any = await client.callTool({
      name: "deploy_application",
      arguments: { app_name: "api-gateway", environment: "production" },
    });
    const deploymentId = String(deployed.structuredContent.data.deployment_id);
    // Once it is in_progress, wait on it and stop the server.
    let status = "";
    for (let i = 0; i < 100 && status !== "in_progress"; i += 1) {
      const checked: any = await client.callTool({
        name: "check_deployment_status",
        arguments: { deployment_id: deploymentId },
      });
      status = String(checked.structuredContent.data.status);
      if (status !== "in_progress") await delay(50);
    }
    assert.equal(status, "in_progress");
    // The wait is sent over raw HTTP: the test observes what the server writes on its stream.
    const base = new URL(server.mcpUrl.origin);
    const session = await openRawSession(base);
    const wait = settle(
      rawRequest(base, {
        headers: session.headers,
        body: toolCallBody(7, "wait_for_deployment", { deployment_id: deploymentId }),
        timeoutMs: SETTLE_BOUND_MS,
      }),
    );
    await delay(300);
    server.child.kill("SIGTERM");
    const waited = await wait;
    assert.equal(waited.hung, undefined, "the server ended the wait's stream (answer or closed connection)");
    const answer = waited.value?.messages?.find((message: any) => message?.id === 7) as any;
    // The call did not finish: it is answered as such before the session closes, not left hanging.
    assert.equal(
      answer?.error?.code,
      -32000,
      `the wait is answered with connection closed: ${JSON.stringify(answer)}`,
    );
    assert.match(String(answer.error.message), /^Connection closed: .*retry/, "the answer says what to do");
    console.log(
      `shutdown past grace: the in-flight wait ${
        waited.error !== undefined
          ? `lost its connection (${waited.error instanceof Error ? waited.error.message : "unknown error"})`
          : answer === undefined
            ? `saw its stream end without an answer (HTTP ${String(waited.value?.status)})`
            : `was answered: ${JSON.stringify(answer).slice(0, 300)}`
      }`,
    );
    assert.equal(await server.exited(), 0);
    assert.match(server.output.join(""), /"msg":"stopped"/);
    await client.close().catch(() => undefined);

    // Left in_progress by the stopped process; the next start says what happened, honestly.
    assert.deepEqual(
      deploymentRows(dataDir).map((row) => row.status),
      ["in_progress"],
    );
    const restarted = await start({ DATA_DIR: dataDir, DEPLOY_QUEUED_MS: "100", DEPLOY_RUN_MS: "300" });
    const { client: again } = await connectClient(restarted.mcpUrl);
    try {
      const final: any = await again.callTool({
        name: "wait_for_deployment",
        arguments: { deployment_id: deploymentId },
      });
      assert.equal(inspectToolResult(final).kind, "success");
      assert.equal(final.structuredContent.data.status, "interrupted");
      assert.ok(
        (final.structuredContent.next_steps ?? []).length > 0,
        "an interrupted deployment comes with next steps",
      );
      // The slot is free again: the same deployment can be started anew.
      const redeploy: any = await again.callTool({
        name: "deploy_application",
        arguments: { app_name: "api-gateway", environment: "production" },
      });
      assert.equal(inspectToolResult(redeploy).kind, "success");
    } finally {
      await again.close();
      restarted.child.kill("SIGTERM");
      assert.equal(await restarted.exited(), 0);
    }
    const rows = deploymentRows(dataDir);
    assert.equal(rows[0]?.status, "interrupted");
    assert.ok(rows[0]?.reason, "the interruption has a reason");
  });
});
