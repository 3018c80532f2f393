import type pg from "pg";
import { latestSchemaVersion, type MigrationResult } from "./migrations.js";
import { PG_SCHEMA_VERSIONS } from "./pg-schema.js";
import type { SchemaVersion } from "./schema.js";

// Any constant shared by every replica: pg_advisory_xact_lock serialises their start-up migrations.
const MIGRATION_LOCK_KEY = 7_140_001;

/**
 * Brings a PostgreSQL schema up to date, all pending versions in one transaction (PostgreSQL DDL
 * is transactional): a failure leaves the previous version intact, and replicas starting together
 * queue on an advisory lock, so exactly one migrates and the others find the work done. The
 * version lives in schema_version (PostgreSQL has no user_version). A newer schema is refused.
 */
export async function migratePg(
  client: pg.ClientBase,
  versions: readonly SchemaVersion[] = PG_SCHEMA_VERSIONS,
): Promise<MigrationResult> {
  const latest = latestSchemaVersion(versions);
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const from = await pgSchemaVersion(client);
    if (from > latest) {
      throw new Error(
        `The database has schema version ${from}, newer than this build's ${latest}: run a newer build or restore a backup.`,
      );
    }
    for (const entry of [...versions].sort((a, b) => a.version - b.version)) {
      if (entry.version <= from) continue;
      await client.query(entry.sql);
    }
    await client.query("DELETE FROM schema_version");
    await client.query("INSERT INTO schema_version (version) VALUES ($1)", [Math.max(from, latest)]);
    await client.query("COMMIT");
    return { from, to: Math.max(from, latest) };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** The schema version recorded in the database (0 for an empty one). */
export async function pgSchemaVersion(client: pg.ClientBase): Promise<number> {
  const result = await client.query<{ version: number }>(
    "SELECT coalesce(max(version), 0)::int AS version FROM schema_version",
  );
  return result.rows[0]?.version ?? 0;
}
