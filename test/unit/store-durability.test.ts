import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { DeploymentEngine } from "../../src/backends/store/deployment-engine.js";
import { DATA_FILE_NAME, SqliteStore } from "../../src/backends/store/sqlite-store.js";
import { classifyError } from "../../src/errors/classify.js";
import { deadline, openTestStore, tempDataDir } from "../helpers/store-fixtures.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const killWriter = fileURLToPath(new URL("../helpers/store-kill-writer.ts", import.meta.url));
const ITEMS_PER_BATCH = 5;

describe("SqliteStore durability", () => {
  it("keeps everything written after close and reopen from the same directory", async (t) => {
    const dir = tempDataDir(t);
    const first = SqliteStore.open({ dataDir: dir });
    const engine = new DeploymentEngine({ store: first, queuedMs: 10, runMs: 10 });
    await engine.start();
    await first.createProject("restart-proof", { owner: "2" });
    await first.archiveProject("website-redesign");
    await first.importRecords({ items: [{ id: "item-900", name: "Persisted", priceCents: 1 }] });
    const deployment = await first.startDeployment("api-gateway", "production");
    const done = await first.waitForDeployment(deployment.id, { signal: deadline(t, 3000) });
    engine.stop();
    await first.close();

    const second = openTestStore(t, { dataDir: dir });
    assert.equal(second.seededNow, false);
    assert.deepEqual((await second.getProject("restart-proof"))?.settings, { owner: "2" });
    assert.equal((await second.getProject("website-redesign"))?.status, "archived");
    assert.equal((await second.getItem("item-900"))?.name, "Persisted");
    assert.deepEqual(await second.getDeployment(deployment.id), done);
  });

  it("survives SIGKILL in the middle of multi-step writes: intact file, no half batch, no lost commit", async (t) => {
    const dir = tempDataDir(t);
    const child = spawn(process.execPath, ["--import", "tsx", killWriter, dir, String(ITEMS_PER_BATCH)], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    t.after(() => child.kill("SIGKILL"));
    const exited = once(child, "exit");
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // Kill as batch 10 begins: inside its transaction, after ten commits.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`the writer did not reach batch 10 in time:\n${stdout}\n${stderr}`));
      }, 4000);
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("begin 10\n")) {
          clearTimeout(timer);
          child.kill("SIGKILL");
          resolve();
        }
      });
      void exited.then(() => {
        reject(new Error(`the writer exited early:\n${stderr}`));
      });
    });
    const [code, signal] = await exited;
    assert.deepEqual([code, signal], [null, "SIGKILL"]);
    const lines = stdout.split("\n").filter((line) => line !== "");
    const committed = lines.filter((line) => /^\d+$/.test(line)).map(Number);
    const lastReported = Math.max(...committed);
    assert.ok(lastReported >= 9, `ten batches should have committed before the kill: ${lines.join(", ")}`);

    // Reopening replays the WAL; then the file must be intact and every batch whole or absent.
    const store = openTestStore(t, { dataDir: dir, seed: false });
    const raw = new Database(path.join(dir, DATA_FILE_NAME), { readonly: true });
    t.after(() => raw.close());
    assert.equal(raw.pragma("integrity_check", { simple: true }), "ok");
    assert.deepEqual(raw.pragma("foreign_key_check"), []);

    const items = await store.listItems();
    const projects = new Set((await store.listProjects()).map((project) => project.name));
    const perBatch = new Map<number, number>();
    for (const item of items) {
      const batch = Number(/^kill-(\d+)-\d+$/.exec(item.id)?.[1]);
      perBatch.set(batch, (perBatch.get(batch) ?? 0) + 1);
    }
    const complete = [...perBatch.keys()].sort((a, b) => a - b);
    for (const [batch, count] of perBatch) assert.equal(count, ITEMS_PER_BATCH, `batch ${batch} is partial`);
    assert.deepEqual([...projects].sort(), complete.map((batch) => `kill-${batch}`).sort());
    assert.deepEqual(
      complete,
      complete.map((_, index) => index),
      "batches commit in order, so the complete ones are 0..n",
    );
    const batchRows = raw.prepare("SELECT count(*) FROM import_batches").pluck().get();
    assert.equal(batchRows, complete.length);
    // Nothing the writer saw committed is lost; at most the batch it was writing is missing.
    assert.ok(
      complete.length - 1 >= lastReported,
      `batch ${lastReported} was reported committed but is missing`,
    );
    assert.ok(complete.length - 1 <= lastReported + 1);
  });

  it("turns writes on a read-only store into a catchable SQLITE_READONLY error while reads keep working", async (t) => {
    // The tests run as root, for whom chmod 0555 on the directory stops nothing; opening the
    // connection read-only makes SQLite itself refuse every write, whoever the user is. The
    // error is the same SQLITE_READONLY a read-only mount or file would give.
    const dir = tempDataDir(t);
    await SqliteStore.open({ dataDir: dir }).close();
    const store = openTestStore(t, { dataDir: dir, readOnly: true });
    assert.equal(store.readOnly, true);

    const error = await store.createProject("nope", {}).then(
      () => assert.fail("a read-only store must refuse writes"),
      (reason: unknown) => reason,
    );
    assert.ok(error instanceof Database.SqliteError);
    assert.equal(error.code, "SQLITE_READONLY");
    assert.equal(classifyError(error).type, "permission_denied");
    await assert.rejects(store.startDeployment("web-frontend", "staging"), { code: "SQLITE_READONLY" });
    await assert.rejects(store.importRecords({ projects: [{ name: "x" }] }), { code: "SQLITE_READONLY" });

    await store.ping();
    assert.equal((await store.listProjects()).length, 3);
    assert.equal(await store.getProject("nope"), undefined);
  });

  it("rejects calls after close instead of crashing, so readiness can report it", async (t) => {
    const store = openTestStore(t);
    await store.ping();
    await store.close();
    await store.close();
    await assert.rejects(store.ping(), /not open/);
    await assert.rejects(store.createProject("late", {}), /not open/);
  });
});
