import { isJsonObject, type JsonValue } from "../../domain/records.js";
import { sortVersionsDescending } from "../../domain/semver.js";
import type {
  ApplicationRow,
  DeploymentRow,
  ItemRow,
  ProjectRow,
  UserRow,
  VersionRow,
} from "./sqlite-statements.js";
import type { AppVersion, Application, Deployment, Item, Project, User } from "./store.js";

/** Rows to domain records: snake_case columns become the camelCase fields of store.ts. */

/** Versions grouped by application name. */
export function groupVersions(rows: readonly VersionRow[]): Map<string, VersionRow[]> {
  const byApp = new Map<string, VersionRow[]>();
  for (const row of rows) {
    const list = byApp.get(row.app_name);
    if (list) list.push(row);
    else byApp.set(row.app_name, [row]);
  }
  return byApp;
}

/** A users row as a User. */
export function toUser(row: UserRow): User {
  return { id: row.id, name: row.name, email: row.email, role: row.role, createdAt: row.created_at };
}

/** An items row as an Item. */
export function toItem(row: ItemRow): Item {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    priceCents: row.price_cents,
    createdAt: row.created_at,
  };
}

/** A projects row as a Project, settings parsed. */
export function toProject(row: ProjectRow): Project {
  const settings: unknown = JSON.parse(row.settings);
  return {
    name: row.name,
    // The CHECK constraint guarantees an object; the fallback only guards a hand-edited file.
    settings: isJsonObject(settings) ? settings : { value: settings as JsonValue },
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    archivedAt: row.archived_at,
  };
}

/** An applications row and its versions as an Application with its latest version. */
export function toApplication(row: ApplicationRow, versions: readonly VersionRow[]): Application {
  return {
    name: row.name,
    description: row.description,
    latestVersion: sortVersionsDescending(versions.map((version) => version.version))[0] ?? null,
    createdAt: row.created_at,
  };
}

/** An app_versions row as an AppVersion. */
export function toAppVersion(row: VersionRow): AppVersion {
  return { app: row.app_name, version: row.version, notes: row.notes, releasedAt: row.released_at };
}

/** A deployments row as a Deployment. */
export function toDeployment(row: DeploymentRow): Deployment {
  return {
    id: row.id,
    app: row.app_name,
    environment: row.environment,
    version: row.version,
    status: row.status,
    reason: row.reason,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
  };
}
