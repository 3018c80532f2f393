import type Database from "better-sqlite3";
import { SCHEMA_VERSIONS, type SchemaVersion } from "./schema.js";

/** What migrate found and did. */
export interface MigrationResult {
  readonly from: number;
  readonly to: number;
}

/** The schema version this build expects. */
export function latestSchemaVersion(versions: readonly SchemaVersion[] = SCHEMA_VERSIONS): number {
  return versions.reduce((latest, entry) => Math.max(latest, entry.version), 0);
}

/** The schema version recorded in the file (`PRAGMA user_version`; 0 for a new file). */
export function schemaVersionOf(db: Database.Database): number {
  const version = db.pragma("user_version", { simple: true });
  return typeof version === "number" ? version : 0;
}

/**
 * Brings the schema up to date, all pending versions in one immediate transaction: a crash midway
 * leaves the previous version intact, and two processes starting at once cannot both migrate.
 * A file written by a newer build is refused rather than guessed at.
 */
export function migrate(
  db: Database.Database,
  versions: readonly SchemaVersion[] = SCHEMA_VERSIONS,
): MigrationResult {
  const latest = latestSchemaVersion(versions);
  const run = db.transaction((): MigrationResult => {
    const from = schemaVersionOf(db);
    if (from > latest) {
      throw new Error(
        `The data file has schema version ${from}, newer than this build's ${latest}: run a newer build or restore a backup.`,
      );
    }
    for (const entry of [...versions].sort((a, b) => a.version - b.version)) {
      if (entry.version <= from) continue;
      db.exec(entry.sql);
      // PRAGMA takes no bound parameters; the version is an integer from our own table.
      db.pragma(`user_version = ${String(Math.trunc(entry.version))}`);
    }
    return { from, to: Math.max(from, latest) };
  });
  return run.immediate();
}

/** Throws unless the file's schema is exactly the expected one (for read-only opens, which cannot migrate). */
export function assertSchemaCurrent(
  db: Database.Database,
  versions: readonly SchemaVersion[] = SCHEMA_VERSIONS,
): void {
  const found = schemaVersionOf(db);
  const expected = latestSchemaVersion(versions);
  if (found !== expected) {
    throw new Error(
      `The data file has schema version ${found}, but this build needs ${expected}; open it writable once to migrate it.`,
    );
  }
}
