import assert from "node:assert/strict";
import { statSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { DATA_FILE_NAME, SqliteStore } from "../../src/backends/store/sqlite-store.js";
import type { ImportBatch, ImportStep, Store } from "../../src/backends/store/store.js";
import { classifyError } from "../../src/errors/classify.js";
import { refusedWith } from "../helpers/refusal.js";
import { storeBackends } from "../helpers/store-backends.js";
import { openTestStore, tempDataDir } from "../helpers/store-fixtures.js";

/** Row counts of every table an import writes, through the public interface. */
async function counts(store: Store) {
  const applications = await store.listApplications();
  let versions = 0;
  for (const app of applications) versions += (await store.listAppVersions(app.name)).length;
  return {
    users: (await store.listUsers()).length,
    items: (await store.listItems()).length,
    projects: (await store.listProjects()).length,
    applications: applications.length,
    versions,
  };
}

const BATCH: ImportBatch = {
  users: [{ id: "3", name: "Carol", email: "carol@example.com", role: "viewer" }],
  items: [
    { id: "item-006", name: "Webcam", priceCents: 5999 },
    { id: "item-007", name: "Desk Lamp", description: "LED", priceCents: 1999 },
  ],
  projects: [{ name: "search", settings: { visibility: "private" } }],
  applications: [
    { name: "search-service", versions: [{ version: "0.9.0" }, { version: "1.0.0", notes: "GA" }] },
  ],
};

for (const backend of storeBackends()) {
  describe(`${backend.name}: importRecords, the multi-step write`, () => {
    it("writes every record of the batch and reports what it wrote", async (t) => {
      const store = await backend.open(t);
      const before = await counts(store);
      const steps: ImportStep[] = [];
      const result = await store.importRecords(BATCH, { onStep: (step) => steps.push(step) });
      assert.match(result.batchId, /^imp_/);
      assert.deepEqual(result.counts, { users: 1, items: 2, projects: 1, applications: 1, versions: 2 });
      assert.deepEqual(await counts(store), {
        users: before.users + 1,
        items: before.items + 2,
        projects: before.projects + 1,
        applications: before.applications + 1,
        versions: before.versions + 2,
      });
      assert.deepEqual(
        steps.map((step) => `${step.index}:${step.table}:${step.key}`),
        [
          "1:users:3",
          "2:items:item-006",
          "3:items:item-007",
          "4:projects:search",
          "5:applications:search-service",
          "6:app_versions:search-service@0.9.0",
          "7:app_versions:search-service@1.0.0",
        ],
      );
      assert.equal((await store.getApplication("search-service"))?.latestVersion, "1.0.0");
    });

    it("rolls back every table when a failure is injected midway", async (t) => {
      const store = await backend.open(t);
      const before = await counts(store);
      for (const failAt of [1, 4, 6, 7]) {
        await assert.rejects(
          store.importRecords(BATCH, {
            onStep: (step) => {
              if (step.index === failAt) throw new Error(`injected failure after step ${failAt}`);
            },
          }),
          new RegExp(`injected failure after step ${failAt}`),
        );
        assert.deepEqual(await counts(store), before, `after a failure at step ${failAt}`);
      }
      assert.equal(await store.getUser("3"), undefined);
      assert.equal(await store.getItem("item-006"), undefined);
      // The store is not left inside a transaction: the same batch then goes through.
      await store.importRecords(BATCH);
      assert.equal((await counts(store)).users, before.users + 1);
    });

    it("turns a duplicate late in the batch into already_exists and writes nothing", async (t) => {
      const store = await backend.open(t);
      const before = await counts(store);
      await assert.rejects(
        store.importRecords({
          ...BATCH,
          items: [...(BATCH.items ?? []), { id: "item-001", name: "Clone", priceCents: 1 }],
        }),
        refusedWith("duplicate_record", (refusal) => {
          assert.deepEqual(refusal, {
            kind: "duplicate_record",
            collection: "items",
            index: (BATCH.items ?? []).length,
            id: "item-001",
            field: "id",
            value: "item-001",
          });
        }),
      );
      await assert.rejects(
        store.importRecords({ items: [{ id: "item-100", name: "Wireless Mouse", priceCents: 1 }] }),
        refusedWith("duplicate_record", (refusal) => {
          assert.deepEqual(
            [refusal.index, refusal.id, refusal.field, refusal.value],
            [0, "item-100", "name", "Wireless Mouse"],
          );
        }),
      );
      assert.deepEqual(await counts(store), before);
    });

    it("validates versions, roles and prices before writing anything", async (t) => {
      const store = await backend.open(t);
      const before = await counts(store);
      await assert.rejects(
        store.importRecords({ ...BATCH, applications: [{ name: "x", versions: [{ version: "1.0" }] }] }),
        refusedWith("invalid_value", (refusal) => {
          assert.equal(refusal.field, "applications[0].versions[0].version");
        }),
      );
      await assert.rejects(
        store.importRecords({ items: [{ id: "item-100", name: "Free?", priceCents: -1 }] }),
        refusedWith("invalid_value", (refusal) => {
          assert.equal(refusal.field, "items[0].priceCents");
        }),
      );
      assert.deepEqual(await counts(store), before);
    });
  });
}

describe("SqliteStore importRecords on a full disk", () => {
  it("surfaces a full disk as SQLITE_FULL, rolls back, and keeps serving reads", async (t) => {
    const dir = tempDataDir(t);
    await SqliteStore.open({ dataDir: dir }).close();
    const size = statSync(path.join(dir, DATA_FILE_NAME)).size;
    // The size cap makes SQLite report SQLITE_FULL exactly as it does when the disk is full.
    const store = openTestStore(t, { dataDir: dir, maxSizeBytes: size + 8192 });
    const before = await counts(store);
    const big = Array.from({ length: 200 }, (_, index) => ({
      id: `bulk-${index}`,
      name: `Bulk item ${index}`,
      description: "x".repeat(1000),
      priceCents: index,
    }));
    const error = await store.importRecords({ items: big }).then(
      () => assert.fail("the import should not fit"),
      (reason: unknown) => reason,
    );
    assert.ok(error instanceof Database.SqliteError);
    assert.equal(error.code, "SQLITE_FULL");
    assert.equal(classifyError(error).type, "internal_error");
    await store.ping();
    assert.deepEqual(await counts(store), before);
  });
});
