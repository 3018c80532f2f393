import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { DATA_FILE_NAME } from "../../src/backends/store/sqlite-store.js";
import { connectClient } from "../helpers/mcp-client.js";
import { assertNoLeak, healthStatus, inspectToolResult } from "../helpers/reliability-http.js";
import { startServer } from "../helpers/test-server.js";

/**
 * The store's disk goes read-only or fills up under a running server: reads keep working, every
 * write fails with a classified error that says what to do, and nothing is half-written.
 */

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "resilient-mcp-storefault-"));
  dirs.push(dir);
  return dir;
}

/** A data directory created and seeded by a server that then stopped. */
async function seededDataDir(): Promise<string> {
  const dir = dataDir();
  const server = await startServer({ DATA_DIR: dir });
  await server.close();
  return dir;
}

/**
 * What was committed to the directory: the data file's hash and the WAL's size. (A read-only
 * open of a WAL database may create an empty -wal and the -shm index; neither holds data.)
 */
function fingerprint(dir: string): { data: string; walBytes: number } {
  const wal = path.join(dir, `${DATA_FILE_NAME}-wal`);
  return {
    data: createHash("sha256")
      .update(readFileSync(path.join(dir, DATA_FILE_NAME)))
      .digest("hex"),
    walBytes: readdirSync(dir).includes(`${DATA_FILE_NAME}-wal`) ? statSync(wal).size : 0,
  };
}

/** Makes the directory and its data file immutable (a read-only disk, even for root); false if unsupported. */
function makeImmutable(dir: string): boolean {
  try {
    execFileSync("chattr", ["+i", path.join(dir, DATA_FILE_NAME), dir], { stdio: "ignore", timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

function makeMutable(dir: string): void {
  execFileSync("chattr", ["-i", path.join(dir, DATA_FILE_NAME), dir], { stdio: "ignore", timeout: 10_000 });
}

function count(db: Database.Database, sql: string): number {
  return (db.prepare(sql).get() as { n: number }).n;
}

function openRaw(dir: string) {
  return new Database(path.join(dir, DATA_FILE_NAME), { readonly: true });
}

async function call(client: any, name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args }, undefined, { timeout: 20_000 });
  assertNoLeak(JSON.stringify(result), JSON.stringify(args), dirs);
  return { outcome: inspectToolResult(result), envelope: result.structuredContent };
}

/** Reads succeed; every kind of write is permission_denied, not retryable, never an internal error. */
async function exerciseReadOnly(dir: string): Promise<void> {
  const server = await startServer({ DATA_DIR: dir, DATA_READ_ONLY: "true" });
  const { client } = await connectClient(server.mcpUrl);
  try {
    assert.equal((await call(client, "get_user", { user_id: "1" })).outcome.kind, "success");
    assert.equal((await call(client, "get_item", { id: "item-001" })).outcome.kind, "success");
    assert.equal((await call(client, "list_applications", {})).outcome.kind, "success");

    const writes: [string, Record<string, unknown>][] = [
      ["manage_project", { action: "create", project_name: "ro-new", settings: { a: 1 } }],
      ["manage_project", { action: "update", project_name: "mobile-app", settings: { a: 1 } }],
      ["manage_project", { action: "archive", project_name: "data-pipeline" }],
      ["import_records", { items: [{ id: "ro-1", name: "Read-only item", price_cents: 1 }] }],
      ["deploy_application", { app_name: "web-frontend", environment: "staging" }],
    ];
    for (const [tool, args] of writes) {
      const { outcome, envelope } = await call(client, tool, args);
      assert.equal(outcome.kind, "error", `${tool} ${JSON.stringify(args)}`);
      assert.equal(envelope.error.type, "permission_denied", `${tool}: ${JSON.stringify(envelope)}`);
      assert.equal(
        envelope.error.retry?.should_retry ?? false,
        false,
        "a read-only store does not heal by retrying",
      );
    }
    assert.equal(await healthStatus(server.url), 200);
    // Reads still work after the refused writes.
    assert.equal((await call(client, "get_user", { user_id: "2" })).outcome.kind, "success");
    assert.equal(
      server.logs.find({ error_type: "internal_error" }).length,
      0,
      "no write became an internal error",
    );
  } finally {
    await client.close();
    await server.close();
  }
}

function assertIntact(dir: string): void {
  const raw = openRaw(dir);
  try {
    assert.equal(raw.pragma("integrity_check", { simple: true }), "ok");
    assert.equal(count(raw, "SELECT count(*) AS n FROM projects WHERE name = 'ro-new'"), 0);
    assert.equal(count(raw, "SELECT count(*) AS n FROM items WHERE id = 'ro-1'"), 0);
  } finally {
    raw.close();
  }
}

describe("store faults", { timeout: 60_000 }, () => {
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("read-only store: reads work, writes are permission_denied with guidance, nothing is written", async () => {
    const dir = await seededDataDir();
    const before = fingerprint(dir);
    await exerciseReadOnly(dir);
    assert.deepEqual(
      fingerprint(dir),
      { data: before.data, walBytes: 0 },
      "the read-only server wrote nothing",
    );
    assertIntact(dir);
  });

  it("read-only disk (data directory immutable): the server starts and serves reads", async (t) => {
    const dir = await seededDataDir();
    const before = fingerprint(dir);
    if (!makeImmutable(dir)) {
      t.skip("needs chattr +i (root on ext4) to make a directory read-only for root");
      return;
    }
    try {
      await exerciseReadOnly(dir);
    } finally {
      makeMutable(dir);
    }
    assert.deepEqual(fingerprint(dir), before, "the read-only server changed nothing on the read-only disk");
    assert.deepEqual(readdirSync(dir), [DATA_FILE_NAME], "no -wal or -shm was created");
    assertIntact(dir);
  });

  it("full store: a write past DATA_MAX_BYTES is an internal_error, rolled back whole; the store goes on", async () => {
    const dir = await seededDataDir();
    const size = statSync(path.join(dir, DATA_FILE_NAME)).size;
    // Room for small writes, not for a megabyte.
    const server = await startServer({ DATA_DIR: dir, DATA_MAX_BYTES: String(size + 64 * 1024) });
    const { client } = await connectClient(server.mcpUrl);
    const big = {
      items: Array.from({ length: 500 }, (_, i) => ({
        id: `full-${i}`,
        name: `Full disk item ${i}`,
        description: "x".repeat(2000),
        price_cents: i,
      })),
      projects: [{ name: "full-project" }],
    };
    try {
      const { outcome, envelope } = await call(client, "import_records", big);
      assert.equal(outcome.kind, "error");
      assert.equal(envelope.error.type, "internal_error", JSON.stringify(envelope));
      assert.match(envelope.error.message, /^An unexpected error occurred \(reference ref_/);
      assert.ok(envelope.error.suggestion.length > 0, "the error has a suggestion");
      // The error is findable in the log by its reference id, with the cause the client never sees.
      const logged = server.logs.find({ reference_id: envelope.error.reference_id });
      assert.ok(logged.length >= 1, "logged under its reference id");
      assert.match(JSON.stringify(logged), /SQLITE_FULL|full/i);

      // Nothing of the batch is visible, and the store still takes a write that fits.
      assert.equal((await call(client, "get_item", { id: "full-0" })).envelope.error?.type, "not_found");
      assert.equal((await call(client, "get_item", { id: "full-499" })).envelope.error?.type, "not_found");
      const small = await call(client, "manage_project", { action: "create", project_name: "after-full" });
      assert.equal(small.outcome.kind, "success", JSON.stringify(small.envelope));
      const again = await call(client, "import_records", big);
      assert.equal(
        again.envelope.error?.type,
        "internal_error",
        "the same oversized batch fails the same way",
      );
      assert.equal(await healthStatus(server.url), 200);
    } finally {
      await client.close();
      await server.close();
    }
    const raw = openRaw(dir);
    try {
      assert.equal(raw.pragma("integrity_check", { simple: true }), "ok");
      assert.equal(count(raw, "SELECT count(*) AS n FROM items WHERE id LIKE 'full-%'"), 0);
      assert.equal(count(raw, "SELECT count(*) AS n FROM projects WHERE name = 'full-project'"), 0);
      assert.equal(count(raw, "SELECT count(*) AS n FROM projects WHERE name = 'after-full'"), 1);
    } finally {
      raw.close();
    }
  });
});
