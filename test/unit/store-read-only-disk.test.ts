import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, it, type TestContext } from "node:test";
import { DATA_FILE_NAME, SqliteStore } from "../../src/backends/store/sqlite-store.js";
import { classifyError } from "../../src/errors/classify.js";
import { tempDataDir } from "../helpers/store-fixtures.js";

/**
 * Makes `dir` refuse new files: chattr +i for root (whom mode bits do not stop), mode 0555 for
 * anyone else. Returns the undo, or undefined (and skips the test) where that is not possible.
 */
function makeUnwritable(t: TestContext, dir: string): (() => void) | undefined {
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555);
    return () => {
      chmodSync(dir, 0o755);
    };
  }
  try {
    execFileSync("chattr", ["+i", dir], { stdio: "ignore", timeout: 10_000 });
  } catch {
    t.skip("needs chattr +i (root on ext4) to make a directory unwritable for root");
    return undefined;
  }
  return () => {
    execFileSync("chattr", ["-i", dir], { stdio: "ignore", timeout: 10_000 });
  };
}

/** Every file in `dir` with its content hash: equal before and after means nothing was written. */
function contents(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir).map((name) => [
      name,
      createHash("sha256")
        .update(readFileSync(path.join(dir, name)))
        .digest("hex"),
    ]),
  );
}

/**
 * A data directory as a killed writer leaves it: the seed and one project committed to the -wal,
 * not yet merged into the data file. The -shm is copied too only if `withShm`.
 */
async function crashedWriterDir(t: TestContext, withShm: boolean): Promise<string> {
  const source = tempDataDir(t);
  const writer = SqliteStore.open({ dataDir: source });
  try {
    await writer.createProject("left-in-log", { owner: "1" });
    const dir = tempDataDir(t);
    const names = [DATA_FILE_NAME, `${DATA_FILE_NAME}-wal`, ...(withShm ? [`${DATA_FILE_NAME}-shm`] : [])];
    for (const name of names) copyFileSync(path.join(source, name), path.join(dir, name));
    assert.ok(statSync(path.join(dir, `${DATA_FILE_NAME}-wal`)).size > 0, "the copied -wal holds commits");
    return dir;
  } finally {
    await writer.close();
  }
}

describe("SqliteStore read-only on a directory that cannot be written", () => {
  it("opens, serves reads, refuses every write with SQLITE_READONLY and writes nothing", async (t) => {
    const dir = tempDataDir(t);
    await SqliteStore.open({ dataDir: dir }).close();
    const before = contents(dir);
    const undo = makeUnwritable(t, dir);
    if (undo === undefined) return;
    try {
      const store = SqliteStore.open({ dataDir: dir, readOnly: true });
      try {
        assert.equal(store.journalMode, "memory", "served from an in-memory copy of the file");
        await store.ping();
        assert.equal((await store.listProjects()).length, 3, "the seeded projects are readable");
        assert.equal((await store.getUser("1"))?.name, "Alice", "a seeded user is readable");

        const error = await store.createProject("nope", {}).then(
          () => assert.fail("a read-only store must refuse writes"),
          (reason: unknown) => reason,
        );
        assert.equal(classifyError(error).type, "permission_denied", "a refused write is permission_denied");
        await assert.rejects(
          store.startDeployment("web-frontend", "staging"),
          { code: "SQLITE_READONLY" },
          "a deployment is refused",
        );
        await assert.rejects(
          store.importRecords({ projects: [{ name: "x" }] }),
          { code: "SQLITE_READONLY" },
          "an import is refused",
        );
        await assert.rejects(
          store.archiveProject("mobile-app"),
          { code: "SQLITE_READONLY" },
          "an archive is refused",
        );
        assert.equal(await store.getProject("nope"), undefined, "the refused write left nothing behind");
      } finally {
        await store.close();
      }
    } finally {
      undo();
    }
    assert.deepEqual(contents(dir), before, "no file was created or changed");
  });

  it("reads the commits in a killed writer's -wal when its -shm is there", async (t) => {
    const dir = await crashedWriterDir(t, true);
    const undo = makeUnwritable(t, dir);
    if (undo === undefined) return;
    try {
      const store = SqliteStore.open({ dataDir: dir, readOnly: true });
      try {
        assert.equal(store.journalMode, "wal", "SQLite reads the log through the existing -shm");
        assert.deepEqual(
          (await store.getProject("left-in-log"))?.settings,
          { owner: "1" },
          "the project committed only to the -wal is read",
        );
      } finally {
        await store.close();
      }
    } finally {
      undo();
    }
  });

  it("refuses a -wal that may hold commits without its -shm, naming the log and the way out", async (t) => {
    const dir = await crashedWriterDir(t, false);
    const before = contents(dir);
    const undo = makeUnwritable(t, dir);
    if (undo === undefined) return;
    try {
      assert.throws(
        () => SqliteStore.open({ dataDir: dir, readOnly: true }),
        (error: unknown) => {
          assert.ok(error instanceof Error, "an Error");
          assert.match(
            error.message,
            /write-ahead log resilient-mcp\.sqlite-wal \(\d+ bytes\)/,
            "names the log",
          );
          assert.match(error.message, /Open the store writable once and close it cleanly/, "says what to do");
          return true;
        },
        "the open is refused rather than serving data without its latest commits",
      );
    } finally {
      undo();
    }
    assert.deepEqual(contents(dir), before, "the refused open changed nothing");
    assert.equal(existsSync(path.join(dir, `${DATA_FILE_NAME}-shm`)), false, "no -shm was created");
  });
});
