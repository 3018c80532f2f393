import { after } from "node:test";
import type { TestContext } from "node:test";
import pg from "pg";
import { startPostgres, type PostgresInstance } from "../../scripts/cluster/postgres-instance.js";
import { PgStore, type PgStoreOptions } from "../../src/backends/store/pg-store.js";
import { IN_MEMORY, SqliteStore } from "../../src/backends/store/sqlite-store.js";
import type { ImportBatch, Store } from "../../src/backends/store/store.js";
import type { IdGenerator } from "../../src/backends/store/record-ids.js";

/** Options every backend understands. */
export interface CommonStoreOptions {
  readonly seed?: ImportBatch | false;
  readonly clock?: () => Date;
  readonly newId?: IdGenerator;
  readonly waitPollIntervalMs?: number;
}

/** A store under test, with the listener count the tests check for leaks. */
export type TestStore = Store & { readonly watcherCount: number };

/** One backend the shared store suite runs against. */
export interface StoreBackend {
  readonly name: "sqlite" | "postgres";
  /** A fresh, seeded (unless told otherwise) store, closed after the test. */
  open(t: TestContext, options?: CommonStoreOptions): Promise<TestStore>;
}

/**
 * SQLite in memory, and PostgreSQL: one temporary server per test file (started on first use,
 * stopped when the file's tests end), one new database per opened store. Call at a file's top level.
 */
export function storeBackends(): StoreBackend[] {
  const postgres = lazyPostgres();
  return [
    {
      name: "sqlite",
      open(t, options = {}) {
        const store = SqliteStore.open({ dataDir: IN_MEMORY, ...options });
        t.after(() => store.close());
        return Promise.resolve(store);
      },
    },
    {
      name: "postgres",
      async open(t, options = {}) {
        const url = await postgres.freshDatabase();
        const store = await PgStore.open({ url, ...options });
        t.after(() => store.close());
        return store;
      },
    },
  ];
}

/** A temporary PostgreSQL for one test file: freshDatabase() gives a new empty database's URL. */
export function lazyPostgres(): {
  instance(): Promise<PostgresInstance>;
  freshDatabase(): Promise<string>;
  openStore(url: string, options?: Partial<PgStoreOptions>): Promise<PgStore>;
} {
  let started: Promise<PostgresInstance> | undefined;
  let databases = 0;
  after(async () => {
    if (started !== undefined) await (await started).stop();
  });
  const instance = () => (started ??= startPostgres());
  return {
    instance,
    async freshDatabase() {
      const server = await instance();
      databases += 1;
      const name = `store_test_${String(databases)}`;
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return server.url.replace(/\/[^/]+$/, `/${name}`);
    },
    openStore: (url, options = {}) => PgStore.open({ url, ...options }),
  };
}
