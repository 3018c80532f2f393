import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { latestSchemaVersion, migrate, schemaVersionOf } from "../../src/backends/store/migrations.js";
import { SCHEMA_VERSIONS } from "../../src/backends/store/schema.js";
import { DATA_FILE_NAME, SqliteStore } from "../../src/backends/store/sqlite-store.js";
import { openTestStore, tempDataDir } from "../helpers/store-fixtures.js";

describe("SqliteStore first start", () => {
  it("creates <dataDir>/resilient-mcp.sqlite in WAL mode and seeds it", async (t) => {
    const dir = path.join(tempDataDir(t), "nested", "data");
    const store = openTestStore(t, { dataDir: dir });
    assert.ok(existsSync(path.join(dir, DATA_FILE_NAME)));
    assert.equal(store.journalMode, "wal");
    assert.equal(store.seededNow, true);

    assert.deepEqual(
      (await store.listUsers()).map((user) => [user.id, user.name]),
      [
        ["1", "Alice"],
        ["2", "Bob"],
      ],
    );
    assert.deepEqual(await store.listUserIds(), ["1", "2"], "the ids, in listUsers order");
    assert.equal((await store.getUser("1"))?.email, "alice@example.com");
    assert.equal((await store.getItem("item-001"))?.name, "Wireless Mouse");
    assert.deepEqual(
      (await store.listProjects()).map((project) => project.name),
      ["data-pipeline", "mobile-app", "website-redesign"],
    );
    assert.deepEqual(
      (await store.listApplications()).map((app) => app.name),
      ["api-gateway", "billing-service", "web-frontend"],
    );
  });

  it("does not seed a second time, even after seeded rows were deleted", async (t) => {
    const dir = tempDataDir(t);
    const first = SqliteStore.open({ dataDir: dir });
    await first.deleteProject("mobile-app");
    const itemCount = (await first.listItems()).length;
    await first.close();

    const second = openTestStore(t, { dataDir: dir });
    assert.equal(second.seededNow, false);
    assert.equal(await second.getProject("mobile-app"), undefined);
    assert.equal((await second.listProjects()).length, 2);
    assert.equal((await second.listItems()).length, itemCount);
    assert.equal((await second.listUsers()).length, 2);
  });

  it("starts empty with seed: false", async (t) => {
    const store = openTestStore(t, { seed: false });
    assert.equal(store.seededNow, false);
    assert.deepEqual(await store.listUsers(), []);
    assert.deepEqual(await store.listApplications(), []);
  });

  it("records the schema version and refuses a file from a newer build without touching it", async (t) => {
    const dir = tempDataDir(t);
    await SqliteStore.open({ dataDir: dir }).close();
    const file = path.join(dir, DATA_FILE_NAME);
    const raw = new Database(file);
    assert.equal(schemaVersionOf(raw), latestSchemaVersion());
    raw.pragma("user_version = 99");
    raw.close();

    assert.throws(() => SqliteStore.open({ dataDir: dir }), /schema version 99, newer than this build/);
    const after = new Database(file, { readonly: true });
    assert.equal(schemaVersionOf(after), 99);
    after.close();
  });

  it("applies pending migrations in one transaction: a failing version leaves the previous one intact", () => {
    const db = new Database(":memory:");
    migrate(db);
    const broken = [
      ...SCHEMA_VERSIONS,
      {
        version: latestSchemaVersion() + 1,
        description: "half-broken",
        sql: "CREATE TABLE extra (a TEXT); SELECT * FROM missing_table;",
      },
    ];
    assert.throws(() => migrate(db, broken), /no such table: missing_table/);
    assert.equal(schemaVersionOf(db), latestSchemaVersion());
    const extra = db.prepare("SELECT name FROM sqlite_schema WHERE name = 'extra'").get();
    assert.equal(extra, undefined);
    db.close();
  });

  it("fails a read-only open of a store that was never created with a catchable error", (t) => {
    const dir = tempDataDir(t);
    assert.throws(
      () => SqliteStore.open({ dataDir: dir, readOnly: true }),
      (error: unknown) => error instanceof Database.SqliteError && error.code === "SQLITE_CANTOPEN",
    );
    assert.ok(!existsSync(path.join(dir, DATA_FILE_NAME)), "a read-only open must not create the file");
  });
});
