import type Database from "better-sqlite3";
import type { DeploymentStatus, Environment } from "../../domain/deployments.js";
import type { ProjectStatus } from "../../domain/projects.js";
import type { UserRole } from "../../domain/records.js";

/** A users row. */
export interface UserRow {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly role: UserRole;
  readonly created_at: string;
}

/** An item's id and name: what did-you-mean compares. */
export interface ItemKeys {
  id: string;
  name: string;
}

/** An items row. */
export interface ItemRow {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly price_cents: number;
  readonly created_at: string;
}

/** A projects row; settings is JSON text. */
export interface ProjectRow {
  readonly name: string;
  readonly settings: string;
  readonly status: ProjectStatus;
  readonly created_at: string;
  readonly updated_at: string;
  readonly archived_at: string | null;
}

/** An applications row. */
export interface ApplicationRow {
  readonly name: string;
  readonly description: string;
  readonly created_at: string;
}

/** An app_versions row. */
export interface VersionRow {
  readonly app_name: string;
  readonly version: string;
  readonly notes: string;
  readonly released_at: string;
}

/** A deployments row. */
export interface DeploymentRow {
  readonly id: string;
  readonly app_name: string;
  readonly environment: Environment;
  readonly version: string;
  readonly status: DeploymentStatus;
  readonly reason: string | null;
  readonly created_at: string;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  readonly updated_at: string;
}

const DEPLOYMENT_COLUMNS =
  "id, app_name, environment, version, status, reason, created_at, started_at, finished_at, updated_at";

/**
 * Every statement the store runs, prepared once when the store opens: SQL errors surface at start
 * rather than on first use, and no request pays for parsing SQL. Write statements are prepared
 * even on a read-only connection (preparing does not write); running them fails with SQLITE_READONLY.
 */
export function prepareStatements(db: Database.Database) {
  return {
    ping: db.prepare<[], number>("SELECT count(*) FROM meta").pluck(),
    getMeta: db.prepare<[string], string>("SELECT value FROM meta WHERE key = ?").pluck(),
    setMeta: db.prepare<[string, string]>("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"),

    userById: db.prepare<[string], UserRow>("SELECT * FROM users WHERE id = ?"),
    // Numeric ids ("2" before "10") sort by length first.
    allUsers: db.prepare<[], UserRow>("SELECT * FROM users ORDER BY length(id), id"),
    allUserIds: db.prepare<[], string>("SELECT id FROM users ORDER BY length(id), id").pluck(),
    insertUser: db.prepare<[UserRow]>(
      "INSERT INTO users (id, name, email, role, created_at) VALUES (@id, @name, @email, @role, @created_at)",
    ),

    itemById: db.prepare<[string], ItemRow>("SELECT * FROM items WHERE id = ?"),
    allItems: db.prepare<[], ItemRow>("SELECT * FROM items ORDER BY id"),
    // Neighbours in index order, for did-you-mean: range reads on the id and name indexes.
    itemsFromId: db.prepare<[string, number], ItemKeys>(
      "SELECT id, name FROM items WHERE id >= ? ORDER BY id LIMIT ?",
    ),
    itemsBeforeId: db.prepare<[string, number], ItemKeys>(
      "SELECT id, name FROM items WHERE id < ? ORDER BY id DESC LIMIT ?",
    ),
    itemsFromName: db.prepare<[string, number], ItemKeys>(
      "SELECT id, name FROM items WHERE name >= ? ORDER BY name LIMIT ?",
    ),
    itemsBeforeName: db.prepare<[string, number], ItemKeys>(
      "SELECT id, name FROM items WHERE name < ? ORDER BY name DESC LIMIT ?",
    ),
    insertItem: db.prepare<[ItemRow]>(
      `INSERT INTO items (id, name, description, price_cents, created_at)
       VALUES (@id, @name, @description, @price_cents, @created_at)`,
    ),

    projectByName: db.prepare<[string], ProjectRow>("SELECT * FROM projects WHERE name = ?"),
    allProjects: db.prepare<[], ProjectRow>("SELECT * FROM projects ORDER BY name"),
    projectNames: db.prepare<[], string>("SELECT name FROM projects ORDER BY name").pluck(),
    insertProject: db.prepare<[{ name: string; settings: string; now: string }]>(
      `INSERT INTO projects (name, settings, status, created_at, updated_at)
       VALUES (@name, @settings, 'active', @now, @now)`,
    ),
    // json_patch is RFC 7396 merge patch, applied in the same statement that writes it.
    patchProject: db.prepare<[{ name: string; patch: string; now: string }]>(
      "UPDATE projects SET settings = json_patch(settings, @patch), updated_at = @now WHERE name = @name",
    ),
    archiveProject: db.prepare<[{ name: string; now: string }]>(
      "UPDATE projects SET status = 'archived', archived_at = @now, updated_at = @now WHERE name = @name",
    ),
    deleteProject: db.prepare<[string]>("DELETE FROM projects WHERE name = ?"),

    applicationByName: db.prepare<[string], ApplicationRow>("SELECT * FROM applications WHERE name = ?"),
    allApplications: db.prepare<[], ApplicationRow>("SELECT * FROM applications ORDER BY name"),
    applicationNames: db.prepare<[], string>("SELECT name FROM applications ORDER BY name").pluck(),
    insertApplication: db.prepare<[ApplicationRow]>(
      "INSERT INTO applications (name, description, created_at) VALUES (@name, @description, @created_at)",
    ),
    versionsOf: db.prepare<[string], VersionRow>("SELECT * FROM app_versions WHERE app_name = ?"),
    allVersions: db.prepare<[], VersionRow>("SELECT * FROM app_versions"),
    insertVersion: db.prepare<[VersionRow]>(
      `INSERT INTO app_versions (app_name, version, notes, released_at)
       VALUES (@app_name, @version, @notes, @released_at)`,
    ),

    deploymentById: db.prepare<[string], DeploymentRow>(
      `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments WHERE id = ?`,
    ),
    activeDeploymentFor: db.prepare<[string, string], DeploymentRow>(
      `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments
       WHERE app_name = ? AND environment = ? AND status IN ('queued', 'in_progress')`,
    ),
    activeDeployments: db.prepare<[], DeploymentRow>(
      `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments
       WHERE status IN ('queued', 'in_progress') ORDER BY created_at, id`,
    ),
    listDeployments: db.prepare<
      [
        {
          app: string | null;
          environment: string | null;
          status: string | null;
          after_created: string | null;
          after_id: string | null;
          limit: number;
        },
      ],
      DeploymentRow
    >(
      `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments
       WHERE (@app IS NULL OR app_name = @app)
         AND (@environment IS NULL OR environment = @environment)
         AND (@status IS NULL OR status = @status)
         AND (@after_created IS NULL OR (created_at, id) < (@after_created, @after_id))
       ORDER BY created_at DESC, id DESC
       LIMIT @limit`,
    ),
    recentDeploymentIds: db
      .prepare<[number], string>("SELECT id FROM deployments ORDER BY created_at DESC, id DESC LIMIT ?")
      .pluck(),
    insertDeployment: db.prepare<[DeploymentRow]>(
      `INSERT INTO deployments (${DEPLOYMENT_COLUMNS})
       VALUES (@id, @app_name, @environment, @version, @status, @reason, @created_at, @started_at,
               @finished_at, @updated_at)`,
    ),
    // Compare-and-set: only moves a deployment still in @from, so a cancel and the engine racing
    // for the same deployment cannot both win.
    transitionDeployment: db.prepare<
      [
        {
          id: string;
          from: string;
          to: string;
          reason: string | null;
          started: string | null;
          finished: string | null;
          now: string;
        },
      ]
    >(
      `UPDATE deployments
       SET status = @to, reason = @reason, started_at = coalesce(started_at, @started),
           finished_at = @finished, updated_at = @now
       WHERE id = @id AND status = @from`,
    ),

    insertImportBatch: db.prepare<
      [
        {
          id: string;
          imported_at: string;
          users: number;
          items: number;
          projects: number;
          applications: number;
          versions: number;
        },
      ]
    >(
      `INSERT INTO import_batches (id, imported_at, users, items, projects, applications, versions)
       VALUES (@id, @imported_at, @users, @items, @projects, @applications, @versions)`,
    ),
  };
}

/** The prepared statements of one connection. */
export type Statements = ReturnType<typeof prepareStatements>;
