import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import Database from "better-sqlite3";
import { DATA_FILE_NAME } from "../../src/backends/store/sqlite-store.js";
import { inspectToolResult, openRawSession, rawToolCall } from "../helpers/reliability-http.js";
import { spawnServer, type ServerProcess } from "../helpers/server-process.js";

/**
 * kill -9 while clients import batches of records: the server process dies mid-write, restarts on
 * the same data directory, and the file must be intact with every batch whole or absent — and
 * every batch the server acknowledged present.
 */

const CYCLES = 3;
const WRITERS = 2;
const ITEMS_PER_BATCH = 400;
// Big rows make each transaction long enough that a kill often lands inside one.
const DESCRIPTION = "d".repeat(1500);
const ACKS_BEFORE_KILL = 3;

interface BatchLedger {
  readonly sent: Set<number>;
  readonly acknowledged: Set<number>;
}

function batchArgs(batch: number) {
  return {
    items: Array.from({ length: ITEMS_PER_BATCH }, (_, i) => ({
      id: `crash-${batch}-${i}`,
      name: `Crash batch ${batch} item ${i}`,
      description: DESCRIPTION,
      price_cents: i,
    })),
    projects: [{ name: `crash-${batch}`, settings: { batch } }],
  };
}

/** Imports batches from WRITERS raw clients until the server dies; returns what was sent and acknowledged. */
async function importUntilKilled(
  server: ServerProcess,
  firstBatch: number,
  ledger: BatchLedger,
): Promise<number> {
  const base = new URL(server.mcpUrl.origin);
  const session = await openRawSession(base);
  let next = firstBatch;
  let acknowledgedNow = 0;
  let killed = false;
  const writer = async () => {
    while (!killed) {
      const batch = (next += 1);
      ledger.sent.add(batch);
      try {
        const { message } = await rawToolCall(base, session, batch, "import_records", batchArgs(batch));
        const outcome = inspectToolResult(message.result);
        assert.equal(outcome.kind, "success", JSON.stringify(message).slice(0, 400));
        ledger.acknowledged.add(batch);
        acknowledgedNow += 1;
        if (acknowledgedNow === ACKS_BEFORE_KILL) {
          // The other writer's batch is in flight now; give it a moment to be inside its transaction.
          await delay(Math.floor(Math.random() * 15));
          killed = true;
          server.child.kill("SIGKILL");
        }
      } catch (error) {
        if (!killed) throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
  const code = await server.exited();
  assert.equal(server.child.signalCode, "SIGKILL", `killed by SIGKILL (exit ${String(code)})`);
  return next;
}

/** Checks the data file as the restarted server left it after recovery. */
function verifyStore(dataDir: string, ledger: BatchLedger): { whole: number; absent: number } {
  const db = new Database(path.join(dataDir, DATA_FILE_NAME), { readonly: true });
  try {
    assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
    assert.deepEqual(db.pragma("foreign_key_check"), []);
    const items = db.prepare("SELECT count(*) AS n FROM items WHERE id LIKE ? ESCAPE '\\'");
    const projects = db.prepare("SELECT count(*) AS n FROM projects WHERE name = ?");
    let whole = 0;
    let absent = 0;
    for (const batch of ledger.sent) {
      const itemCount = (items.get(`crash-${batch}-%`) as { n: number }).n;
      const projectCount = (projects.get(`crash-${batch}`) as { n: number }).n;
      assert.ok(
        (itemCount === ITEMS_PER_BATCH && projectCount === 1) || (itemCount === 0 && projectCount === 0),
        `batch ${batch} is half-written: ${itemCount} items, ${projectCount} projects`,
      );
      if (ledger.acknowledged.has(batch)) {
        assert.equal(itemCount, ITEMS_PER_BATCH, `acknowledged batch ${batch} was lost`);
      }
      if (itemCount === 0) absent += 1;
      else whole += 1;
    }
    const strays = (
      db.prepare("SELECT count(*) AS n FROM items WHERE id LIKE 'crash-%'").get() as { n: number }
    ).n;
    assert.equal(strays, whole * ITEMS_PER_BATCH, "no rows outside the batches the clients sent");
    return { whole, absent };
  } finally {
    db.close();
  }
}

describe("SIGKILL during multi-step writes", { timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "resilient-mcp-crash-"));
  let server: ServerProcess | undefined;

  after(() => {
    if (server !== undefined && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill("SIGKILL");
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`kill -9 mid-import ${CYCLES}× and restart: intact file, every batch whole or absent, nothing acknowledged lost`, async () => {
    const ledger: BatchLedger = { sent: new Set(), acknowledged: new Set() };
    let batch = 0;
    const cycles: string[] = [];
    for (let cycle = 0; cycle < CYCLES; cycle += 1) {
      server = await spawnServer({ DATA_DIR: dataDir });
      batch = await importUntilKilled(server, batch, ledger);

      // Restart on the same directory: the store replays its WAL on open.
      server = await spawnServer({ DATA_DIR: dataDir });
      const { whole, absent } = verifyStore(dataDir, ledger);
      cycles.push(
        `cycle ${cycle + 1}: ${ledger.sent.size} sent, ${ledger.acknowledged.size} acknowledged, ${whole} whole, ${absent} absent`,
      );
      // The restarted server serves what was acknowledged.
      const base = new URL(server.mcpUrl.origin);
      const session = await openRawSession(base);
      const [someAcknowledged] = ledger.acknowledged;
      const { message } = await rawToolCall(base, session, 1, "get_item", {
        id: `crash-${someAcknowledged}-0`,
      });
      assert.equal(inspectToolResult(message.result).kind, "success");
      server.child.kill("SIGTERM");
      assert.equal(await server.exited(), 0);
    }
    console.log(`crash figures ${JSON.stringify(cycles)}`);
    assert.ok(ledger.acknowledged.size >= CYCLES * ACKS_BEFORE_KILL, "the writers made progress each cycle");
  });
});
