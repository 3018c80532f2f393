import type { ImportBatch, ImportResult, ImportStep } from "./store.js";
import { insertOrDuplicate } from "./sqlite-duplicates.js";
import type { ApplicationRow, ItemRow, Statements, UserRow, VersionRow } from "./sqlite-statements.js";

/**
 * Writes every record of the batch in order, naming a duplicate by its place in the batch; the
 * caller's transaction makes it all-or-nothing. Returns how many records of each kind it wrote.
 */
export function writeImportBatch(
  sql: Statements,
  batch: ImportBatch,
  now: string,
  onStep: ((step: ImportStep) => void) | undefined,
): ImportResult["counts"] {
  let written = 0;
  const step = (table: ImportStep["table"], key: string): void => {
    written += 1;
    onStep?.({ index: written, table, key });
  };
  const counts = { users: 0, items: 0, projects: 0, applications: 0, versions: 0 };
  for (const [index, user] of (batch.users ?? []).entries()) {
    const row: UserRow = { ...user, created_at: now };
    insertOrDuplicate(() => sql.insertUser.run(row), {
      collection: "users",
      index,
      id: user.id,
      secondary: { "users.email": ["email", user.email] },
    });
    counts.users += 1;
    step("users", user.id);
  }
  for (const [index, item] of (batch.items ?? []).entries()) {
    const row: ItemRow = {
      id: item.id,
      name: item.name,
      description: item.description ?? "",
      price_cents: item.priceCents,
      created_at: now,
    };
    insertOrDuplicate(() => sql.insertItem.run(row), {
      collection: "items",
      index,
      id: item.id,
      secondary: { "items.name": ["name", item.name] },
    });
    counts.items += 1;
    step("items", item.id);
  }
  for (const [index, project] of (batch.projects ?? []).entries()) {
    const settings = JSON.stringify(project.settings ?? {});
    insertOrDuplicate(() => sql.insertProject.run({ name: project.name, settings, now }), {
      collection: "projects",
      index,
      id: project.name,
    });
    counts.projects += 1;
    step("projects", project.name);
  }
  for (const [index, app] of (batch.applications ?? []).entries()) {
    counts.versions += writeApplication(sql, app, index, now, step);
    counts.applications += 1;
  }
  return counts;
}

/** One application and its versions; returns how many versions it wrote. */
function writeApplication(
  sql: Statements,
  app: NonNullable<ImportBatch["applications"]>[number],
  index: number,
  now: string,
  step: (table: ImportStep["table"], key: string) => void,
): number {
  const row: ApplicationRow = { name: app.name, description: app.description ?? "", created_at: now };
  insertOrDuplicate(() => sql.insertApplication.run(row), {
    collection: "applications",
    index,
    id: app.name,
  });
  step("applications", app.name);
  for (const version of app.versions ?? []) {
    const versionRow: VersionRow = {
      app_name: app.name,
      version: version.version,
      notes: version.notes ?? "",
      released_at: now,
    };
    const key = `${app.name}@${version.version}`;
    // The application is the record the request can fix or drop: its index names it.
    insertOrDuplicate(() => sql.insertVersion.run(versionRow), {
      collection: "applications",
      index,
      id: app.name,
      reported: ["version", key],
    });
    step("app_versions", key);
  }
  return app.versions?.length ?? 0;
}
