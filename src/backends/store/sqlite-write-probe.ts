import type Database from "better-sqlite3";

/** What a write probe learned: the write committed, and how much room the file has left. */
export interface StoreRoom {
  readonly pageSize: number;
  /** Pages the file may still grow by under its cap (DATA_MAX_BYTES), plus pages free inside it. */
  readonly pagesLeft: number;
}

/** The meta key the probe rewrites; nothing reads it but an operator curious about the last probe. */
export const WRITE_PROBE_KEY = "write_probe_at";

/**
 * Commits one small write (the time, under WRITE_PROBE_KEY) in an immediate transaction, as every
 * store write is, then reads how many pages are left. Throws what the write threw: SQLITE_FULL,
 * SQLITE_IOERR_*, SQLITE_READONLY_* — the errors that make every other write fail too.
 */
export function probeSqliteWrite(db: Database.Database, now: string): StoreRoom {
  const write = db.prepare<[string, string]>("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
  db.transaction(() => write.run(WRITE_PROBE_KEY, now)).immediate();
  const pragma = (name: string) => Number(db.pragma(name, { simple: true }));
  const pageSize = pragma("page_size");
  const pagesLeft = Math.max(0, pragma("max_page_count") - pragma("page_count")) + pragma("freelist_count");
  return { pageSize, pagesLeft };
}
