import { RefusalError } from "../../domain/refusal.js";
import { compareSemver } from "../../domain/semver.js";
import type { Queryable } from "./pg-deployments.js";
import { groupVersions, toAppVersion, toApplication } from "./sqlite-rows.js";
import type { ApplicationRow, VersionRow } from "./sqlite-statements.js";
import type { AppVersion, Application } from "./store.js";

/** Every application with its latest version, by name. */
export async function listApplications(db: Queryable): Promise<Application[]> {
  const versions = groupVersions((await db.query<VersionRow>("SELECT * FROM app_versions")).rows);
  const apps = await db.query<ApplicationRow>("SELECT * FROM applications ORDER BY name");
  return apps.rows.map((row) => toApplication(row, versions.get(row.name) ?? []));
}

/** One application with its latest version. */
export async function getApplication(db: Queryable, name: string): Promise<Application | undefined> {
  const row = (await db.query<ApplicationRow>("SELECT * FROM applications WHERE name = $1", [name])).rows[0];
  return row === undefined ? undefined : toApplication(row, await versionsOf(db, name));
}

/** An application's versions, highest semver first; refuses unknown_record for an unknown one. */
export async function listAppVersions(db: Queryable, app: string): Promise<AppVersion[]> {
  await applicationOrThrow(db, app);
  const versions = await versionsOf(db, app);
  return versions.sort((a, b) => compareSemver(b.version, a.version)).map(toAppVersion);
}

/** The version rows of one application, unsorted. */
export async function versionsOf(db: Queryable, app: string): Promise<VersionRow[]> {
  return (await db.query<VersionRow>("SELECT * FROM app_versions WHERE app_name = $1", [app])).rows;
}

/** Refuses unknown_record, with the known names, unless the application exists. */
export async function applicationOrThrow(db: Queryable, name: string): Promise<void> {
  const found = await db.query("SELECT 1 FROM applications WHERE name = $1", [name]);
  if (found.rowCount !== 0) return;
  const names = await db.query<{ name: string }>("SELECT name FROM applications ORDER BY name");
  throw new RefusalError({
    kind: "unknown_record",
    collection: "applications",
    id: name,
    known: names.rows.map((row) => row.name),
  });
}
