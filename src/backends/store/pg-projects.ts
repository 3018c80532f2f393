import type pg from "pg";
import { mergePatch } from "../../domain/merge-patch.js";
import { refuseUpdate } from "../../domain/projects.js";
import { refuseSettings, type JsonObject } from "../../domain/records.js";
import { RefusalError, enforce } from "../../domain/refusal.js";
import type { Queryable } from "./pg-deployments.js";
import { INSERT_PROJECT, pgInsertOrDuplicate } from "./pg-import.js";
import { inTransaction } from "./pg-transaction.js";
import { toProject } from "./sqlite-rows.js";
import type { ProjectRow } from "./sqlite-statements.js";
import type { Project } from "./store.js";

// Settings as JSON text, so the row mapping shared with SQLite parses them alike.
const PROJECT_COLUMNS = "name, settings::text AS settings, status, created_at, updated_at, archived_at";

/** Every project, by name. */
export async function listProjects(db: Queryable): Promise<Project[]> {
  const result = await db.query<ProjectRow>(`SELECT ${PROJECT_COLUMNS} FROM projects ORDER BY name`);
  return result.rows.map(toProject);
}

/** One project, optionally locking its row for the rest of the transaction. */
export async function getProject(db: Queryable, name: string, lock = false): Promise<Project | undefined> {
  const sql = `SELECT ${PROJECT_COLUMNS} FROM projects WHERE name = $1${lock ? " FOR UPDATE" : ""}`;
  return (await db.query<ProjectRow>(sql, [name])).rows.map(toProject)[0];
}

async function projectOrThrow(db: Queryable, name: string, lock = false): Promise<Project> {
  const project = await getProject(db, name, lock);
  if (project !== undefined) return project;
  const names = await db.query<{ name: string }>("SELECT name FROM projects ORDER BY name");
  throw new RefusalError({
    kind: "unknown_record",
    collection: "projects",
    id: name,
    known: names.rows.map((row) => row.name),
  });
}

/** Project writes, each one transaction; the rules come from src/domain as in every store. */
export function projectWrites(pool: pg.Pool, now: () => string) {
  return {
    async createProject(name: string, settings: JsonObject): Promise<Project> {
      enforce(refuseSettings(settings, "settings"));
      return inTransaction(pool, async (client) => {
        await pgInsertOrDuplicate(client, INSERT_PROJECT, [name, JSON.stringify(settings), now()], {
          collection: "projects",
          id: name,
        });
        return projectOrThrow(client, name);
      });
    },

    async updateProject(name: string, settings: JsonObject): Promise<Project> {
      enforce(refuseSettings(settings, "settings"));
      return inTransaction(pool, async (client) => {
        const current = await projectOrThrow(client, name, true);
        enforce(refuseUpdate(current));
        // PostgreSQL has no json_patch: the merge happens here, on the locked row.
        const merged = mergePatch(current.settings, settings);
        await client.query("UPDATE projects SET settings = $2::jsonb, updated_at = $3 WHERE name = $1", [
          name,
          JSON.stringify(merged),
          now(),
        ]);
        return projectOrThrow(client, name);
      });
    },

    deleteProject(name: string): Promise<Project> {
      return inTransaction(pool, async (client) => {
        const current = await projectOrThrow(client, name, true);
        await client.query("DELETE FROM projects WHERE name = $1", [name]);
        return current;
      });
    },

    archiveProject(name: string): Promise<Project> {
      return inTransaction(pool, async (client) => {
        const current = await projectOrThrow(client, name, true);
        // Idempotent: a model retrying after a lost answer gets the same result, not an error.
        if (current.status === "archived") return current;
        await client.query(
          "UPDATE projects SET status = 'archived', archived_at = $2, updated_at = $2 WHERE name = $1",
          [name, now()],
        );
        return projectOrThrow(client, name);
      });
    },
  };
}
