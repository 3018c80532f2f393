import type pg from "pg";
import { duplicateRefusal, type DuplicateTarget } from "./sqlite-duplicates.js";
import { PostgresError, pgCode } from "./pg-transaction.js";
import type { ImportBatch, ImportResult, ImportStep } from "./store.js";

/** An insert whose unique-key clash (SQLSTATE 23505) becomes a duplicate_record refusal. */
export async function pgInsertOrDuplicate(
  client: pg.ClientBase,
  sql: string,
  values: readonly unknown[],
  target: DuplicateTarget,
): Promise<void> {
  try {
    await client.query(sql, values as unknown[]);
  } catch (error) {
    if (pgCode(error) !== "23505") throw error;
    // PostgreSQL names the clashing columns in the detail: "Key (email)=(a@b.c) already exists."
    const source = error instanceof PostgresError ? error.cause : error;
    const detail = (source as { detail?: unknown }).detail;
    const text = typeof detail === "string" ? detail : "";
    throw duplicateRefusal(
      target,
      (column) => text.includes(`(${column.split(".").pop() ?? column})=`),
      error,
    );
  }
}

/**
 * Writes every record of the batch in order, on the caller's transaction (all or nothing), naming
 * a duplicate by its place in the batch. Returns how many records of each kind it wrote.
 */
export async function writePgImportBatch(
  client: pg.ClientBase,
  batch: ImportBatch,
  now: string,
  onStep: ((step: ImportStep) => void) | undefined,
): Promise<ImportResult["counts"]> {
  let written = 0;
  const step = (table: ImportStep["table"], key: string): void => {
    written += 1;
    onStep?.({ index: written, table, key });
  };
  const counts = { users: 0, items: 0, projects: 0, applications: 0, versions: 0 };
  for (const [index, user] of (batch.users ?? []).entries()) {
    await pgInsertOrDuplicate(
      client,
      "INSERT INTO users (id, name, email, role, created_at) VALUES ($1, $2, $3, $4, $5)",
      [user.id, user.name, user.email, user.role, now],
      { collection: "users", index, id: user.id, secondary: { "users.email": ["email", user.email] } },
    );
    counts.users += 1;
    step("users", user.id);
  }
  for (const [index, item] of (batch.items ?? []).entries()) {
    await pgInsertOrDuplicate(
      client,
      "INSERT INTO items (id, name, description, price_cents, created_at) VALUES ($1, $2, $3, $4, $5)",
      [item.id, item.name, item.description ?? "", item.priceCents, now],
      { collection: "items", index, id: item.id, secondary: { "items.name": ["name", item.name] } },
    );
    counts.items += 1;
    step("items", item.id);
  }
  for (const [index, project] of (batch.projects ?? []).entries()) {
    await pgInsertOrDuplicate(
      client,
      INSERT_PROJECT,
      [project.name, JSON.stringify(project.settings ?? {}), now],
      {
        collection: "projects",
        index,
        id: project.name,
      },
    );
    counts.projects += 1;
    step("projects", project.name);
  }
  for (const [index, app] of (batch.applications ?? []).entries()) {
    counts.versions += await writeApplication(client, app, index, now, step);
    counts.applications += 1;
  }
  return counts;
}

/** Shared with createProject, so both write projects alike. */
export const INSERT_PROJECT = `INSERT INTO projects (name, settings, status, created_at, updated_at)
  VALUES ($1, $2::jsonb, 'active', $3, $3)`;

async function writeApplication(
  client: pg.ClientBase,
  app: NonNullable<ImportBatch["applications"]>[number],
  index: number,
  now: string,
  step: (table: ImportStep["table"], key: string) => void,
): Promise<number> {
  await pgInsertOrDuplicate(
    client,
    "INSERT INTO applications (name, description, created_at) VALUES ($1, $2, $3)",
    [app.name, app.description ?? "", now],
    { collection: "applications", index, id: app.name },
  );
  step("applications", app.name);
  for (const version of app.versions ?? []) {
    const key = `${app.name}@${version.version}`;
    // The application is the record the request can fix or drop: its index names it.
    await pgInsertOrDuplicate(
      client,
      "INSERT INTO app_versions (app_name, version, notes, released_at) VALUES ($1, $2, $3, $4)",
      [app.name, version.version, version.notes ?? "", now],
      { collection: "applications", index, id: app.name, reported: ["version", key] },
    );
    step("app_versions", key);
  }
  return app.versions?.length ?? 0;
}
