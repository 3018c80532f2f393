import pg from "pg";
import {
  chooseVersion,
  refuseCancel,
  refuseEnvironment,
  refuseStart,
  type DeploymentStatus,
  type Environment,
} from "../../domain/deployments.js";
import { mergePatch } from "../../domain/merge-patch.js";
import { refuseUpdate } from "../../domain/projects.js";
import { refuseBatch, refuseSettings, type JsonObject } from "../../domain/records.js";
import { RefusalError, enforce, type RecordCollection } from "../../domain/refusal.js";
import { compareSemver } from "../../domain/semver.js";
import { DeploymentEvents, type ListenerErrorHandler } from "./deployment-events.js";
import { waitForDeployment } from "./deployment-waiter.js";
import * as deployments from "./pg-deployments.js";
import { INSERT_PROJECT, pgInsertOrDuplicate, writePgImportBatch } from "./pg-import.js";
import { migratePg } from "./pg-migrations.js";
import { inTransaction, markPoolErrors, pgCode } from "./pg-transaction.js";
import { timeSortableId, type IdGenerator } from "./record-ids.js";
import { DEFAULT_SEED } from "./seed.js";
import { groupVersions, toAppVersion, toApplication, toItem, toProject, toUser } from "./sqlite-rows.js";
import type { ApplicationRow, ItemRow, ProjectRow, UserRow, VersionRow } from "./sqlite-statements.js";
import type {
  AppVersion,
  Application,
  ClaimedDeployment,
  Deployment,
  DeploymentClaimStore,
  DeploymentFilter,
  DeploymentListener,
  ImportBatch,
  ImportOptions,
  ImportResult,
  Item,
  Project,
  Store,
  User,
  WaitForDeploymentOptions,
} from "./store.js";

/** Defaults of the tunable options (DATABASE_POOL_MAX, DATABASE_CONNECT_TIMEOUT_MS, DATABASE_STATEMENT_TIMEOUT_MS). */
export const PG_STORE_DEFAULTS = {
  poolMax: 10,
  connectTimeoutMs: 5000,
  statementTimeoutMs: 10_000,
  waitPollIntervalMs: 1000,
  deploymentListLimit: 50,
} as const;

const MAX_DEPLOYMENT_LIST_LIMIT = 500;
const SEEDED_AT_KEY = "seeded_at";
const PROJECT_COLUMNS = "name, settings::text AS settings, status, created_at, updated_at, archived_at";

/** How to open a PgStore. */
export interface PgStoreOptions {
  /** postgres://user@host:port/database */
  readonly url: string;
  readonly poolMax?: number;
  /** How long getting a connection may take before the call fails (default 5000). */
  readonly connectTimeoutMs?: number;
  /** The server cancels a statement running longer than this (SQLSTATE 57014; default 10000). */
  readonly statementTimeoutMs?: number;
  readonly seed?: ImportBatch | false;
  readonly waitPollIntervalMs?: number;
  readonly clock?: () => Date;
  readonly newId?: IdGenerator;
  readonly onListenerError?: ListenerErrorHandler;
  /** An idle pooled connection failed (the server restarted): the pool drops it; log it. */
  readonly onPoolError?: (error: Error) => void;
}

/**
 * The shared store: PostgreSQL behind a connection pool, for several replicas on one database.
 * Same interface, rules (src/domain) and row mapping as the SQLite store; every write is one
 * transaction, and the deployment claims let N replicas run one deployment engine each.
 * Deployment events reach this process's listeners; waitForDeployment's re-read sees the others'.
 */
export class PgStore implements Store, DeploymentClaimStore {
  readonly seededNow: boolean;
  readonly #pool: pg.Pool;
  readonly #events: DeploymentEvents;
  readonly #clock: () => Date;
  readonly #newId: IdGenerator;
  readonly #waitPollIntervalMs: number;

  /** Connects, migrates (one replica at a time) and seeds a new database once; rejects if it cannot. */
  static async open(options: PgStoreOptions): Promise<PgStore> {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolMax ?? PG_STORE_DEFAULTS.poolMax,
      connectionTimeoutMillis: options.connectTimeoutMs ?? PG_STORE_DEFAULTS.connectTimeoutMs,
      statement_timeout: options.statementTimeoutMs ?? PG_STORE_DEFAULTS.statementTimeoutMs,
      application_name: "resilient-mcp",
    });
    // Without a listener an idle connection's error (the server restarting) would crash the process.
    pool.on("error", options.onPoolError ?? (() => undefined));
    const marked = markPoolErrors(pool);
    try {
      const client = await marked.connect();
      try {
        await migratePg(client);
      } finally {
        client.release();
      }
      const clock = options.clock ?? (() => new Date());
      const seed = options.seed ?? DEFAULT_SEED;
      const seededNow = seed !== false && (await seedOnce(marked, seed, clock().toISOString()));
      return new PgStore(marked, options, seededNow);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
  }

  private constructor(pool: pg.Pool, options: PgStoreOptions, seededNow: boolean) {
    this.#pool = pool;
    this.seededNow = seededNow;
    this.#clock = options.clock ?? (() => new Date());
    this.#newId = options.newId ?? ((prefix) => timeSortableId(prefix, () => this.#clock().getTime()));
    this.#waitPollIntervalMs = options.waitPollIntervalMs ?? PG_STORE_DEFAULTS.waitPollIntervalMs;
    this.#events = new DeploymentEvents(options.onListenerError);
  }

  // ---- users and items ----

  async getUser(id: string): Promise<User | undefined> {
    return (await this.#rows<UserRow>("SELECT * FROM users WHERE id = $1", [id])).map(toUser)[0];
  }

  async listUsers(): Promise<User[]> {
    return (await this.#rows<UserRow>("SELECT * FROM users ORDER BY length(id), id")).map(toUser);
  }

  async listUserIds(): Promise<string[]> {
    return (await this.#rows<{ id: string }>("SELECT id FROM users ORDER BY length(id), id")).map(
      (row) => row.id,
    );
  }

  async getItem(id: string): Promise<Item | undefined> {
    return (await this.#rows<ItemRow>("SELECT * FROM items WHERE id = $1", [id])).map(toItem)[0];
  }

  async listItems(): Promise<Item[]> {
    return (await this.#rows<ItemRow>("SELECT * FROM items ORDER BY id")).map(toItem);
  }

  // ---- projects ----

  async listProjects(): Promise<Project[]> {
    return (await this.#rows<ProjectRow>(`SELECT ${PROJECT_COLUMNS} FROM projects ORDER BY name`)).map(
      toProject,
    );
  }

  getProject(name: string): Promise<Project | undefined> {
    return this.#project(this.#pool, name);
  }

  async createProject(name: string, settings: JsonObject): Promise<Project> {
    enforce(refuseSettings(settings, "settings"));
    return inTransaction(this.#pool, async (client) => {
      await pgInsertOrDuplicate(client, INSERT_PROJECT, [name, JSON.stringify(settings), this.#now()], {
        collection: "projects",
        id: name,
      });
      return this.#projectOrThrow(client, name);
    });
  }

  async updateProject(name: string, settings: JsonObject): Promise<Project> {
    enforce(refuseSettings(settings, "settings"));
    return inTransaction(this.#pool, async (client) => {
      const current = await this.#projectOrThrow(client, name, true);
      enforce(refuseUpdate(current));
      const merged = mergePatch(current.settings, settings);
      await client.query("UPDATE projects SET settings = $2::jsonb, updated_at = $3 WHERE name = $1", [
        name,
        JSON.stringify(merged),
        this.#now(),
      ]);
      return this.#projectOrThrow(client, name);
    });
  }

  deleteProject(name: string): Promise<Project> {
    return inTransaction(this.#pool, async (client) => {
      const current = await this.#projectOrThrow(client, name, true);
      await client.query("DELETE FROM projects WHERE name = $1", [name]);
      return current;
    });
  }

  archiveProject(name: string): Promise<Project> {
    return inTransaction(this.#pool, async (client) => {
      const current = await this.#projectOrThrow(client, name, true);
      // Idempotent: a model retrying after a lost answer gets the same result, not an error.
      if (current.status === "archived") return current;
      await client.query(
        "UPDATE projects SET status = 'archived', archived_at = $2, updated_at = $2 WHERE name = $1",
        [name, this.#now()],
      );
      return this.#projectOrThrow(client, name);
    });
  }

  async #project(db: deployments.Queryable, name: string, lock = false): Promise<Project | undefined> {
    const sql = `SELECT ${PROJECT_COLUMNS} FROM projects WHERE name = $1${lock ? " FOR UPDATE" : ""}`;
    return (await db.query<ProjectRow>(sql, [name])).rows.map(toProject)[0];
  }

  async #projectOrThrow(db: deployments.Queryable, name: string, lock = false): Promise<Project> {
    const project = await this.#project(db, name, lock);
    if (project !== undefined) return project;
    const names = await db.query<{ name: string }>("SELECT name FROM projects ORDER BY name");
    throw unknownRecord(
      "projects",
      name,
      names.rows.map((row) => row.name),
    );
  }

  // ---- applications and versions ----

  async listApplications(): Promise<Application[]> {
    const versions = groupVersions(await this.#rows<VersionRow>("SELECT * FROM app_versions"));
    const apps = await this.#rows<ApplicationRow>("SELECT * FROM applications ORDER BY name");
    return apps.map((row) => toApplication(row, versions.get(row.name) ?? []));
  }

  async getApplication(name: string): Promise<Application | undefined> {
    const row = (await this.#rows<ApplicationRow>("SELECT * FROM applications WHERE name = $1", [name]))[0];
    return row === undefined ? undefined : toApplication(row, await this.#versionsOf(this.#pool, name));
  }

  async listAppVersions(appName: string): Promise<AppVersion[]> {
    await this.#applicationOrThrow(this.#pool, appName);
    const versions = await this.#versionsOf(this.#pool, appName);
    return versions.sort((a, b) => compareSemver(b.version, a.version)).map(toAppVersion);
  }

  async #versionsOf(db: deployments.Queryable, app: string): Promise<VersionRow[]> {
    return (await db.query<VersionRow>("SELECT * FROM app_versions WHERE app_name = $1", [app])).rows;
  }

  async #applicationOrThrow(db: deployments.Queryable, name: string): Promise<void> {
    const found = await db.query("SELECT 1 FROM applications WHERE name = $1", [name]);
    if (found.rowCount !== 0) return;
    const names = await db.query<{ name: string }>("SELECT name FROM applications ORDER BY name");
    throw unknownRecord(
      "applications",
      name,
      names.rows.map((row) => row.name),
    );
  }

  // ---- deployments ----

  async startDeployment(app: string, environment: Environment, version?: string): Promise<Deployment> {
    enforce(refuseEnvironment(environment));
    let deployment: Deployment;
    try {
      deployment = await inTransaction(this.#pool, async (client) => {
        await this.#applicationOrThrow(client, app);
        const available = (await this.#versionsOf(client, app)).map((row) => row.version);
        const choice = chooseVersion(app, available, version);
        if ("refusal" in choice) throw new RefusalError(choice.refusal);
        enforce(refuseStart(await deployments.activeDeploymentFor(client, app, environment)));
        const now = this.#now();
        const id = this.#newId("dep");
        await client.query(
          `INSERT INTO deployments (${deployments.DEPLOYMENT_COLUMNS})
           VALUES ($1, $2, $3, $4, 'queued', NULL, $5, NULL, NULL, $5)`,
          [id, app, environment, choice.version, now],
        );
        return (await deployments.deploymentById(client, id)) as Deployment;
      });
    } catch (error) {
      // The partial unique index fired: another replica got in first despite the check.
      if (pgCode(error) !== "23505") throw error;
      const refusal = refuseStart(await deployments.activeDeploymentFor(this.#pool, app, environment));
      if (refusal !== undefined) throw new RefusalError(refusal, { cause: error });
      throw error;
    }
    this.#events.emit(deployment);
    return deployment;
  }

  getDeployment(id: string): Promise<Deployment | undefined> {
    return deployments.deploymentById(this.#pool, id);
  }

  listDeployments(filter: DeploymentFilter = {}): Promise<Deployment[]> {
    const limit = Math.min(
      MAX_DEPLOYMENT_LIST_LIMIT,
      Math.max(1, Math.trunc(filter.limit ?? PG_STORE_DEFAULTS.deploymentListLimit)),
    );
    return deployments.listDeployments(this.#pool, filter, limit);
  }

  listActiveDeployments(): Promise<Deployment[]> {
    return deployments.activeDeployments(this.#pool);
  }

  activeDeploymentFor(app: string, environment: Environment): Promise<Deployment | undefined> {
    return deployments.activeDeploymentFor(this.#pool, app, environment);
  }

  async transitionDeployment(
    id: string,
    from: DeploymentStatus,
    to: DeploymentStatus,
    reason?: string,
  ): Promise<Deployment | undefined> {
    const change = { id, from, to, reason: reason ?? null, now: this.#now() };
    return this.#emitted(await deployments.transitionDeployment(this.#pool, change));
  }

  async cancelDeployment(id: string): Promise<Deployment> {
    const cancelled = await inTransaction(this.#pool, async (client) => {
      const current = await deployments.deploymentById(client, id, true);
      if (current === undefined) {
        const recent = await deployments.listDeployments(client, {}, PG_STORE_DEFAULTS.deploymentListLimit);
        throw unknownRecord(
          "deployments",
          id,
          recent.map((deployment) => deployment.id),
        );
      }
      enforce(refuseCancel(current));
      const change = {
        id,
        from: current.status,
        to: "cancelled" as const,
        reason: "Cancelled on request",
        now: this.#now(),
      };
      const changed = await deployments.transitionDeployment(client, change);
      if (changed === undefined) throw new Error(`Deployment ${id} changed while its row was locked`);
      return changed;
    });
    this.#events.emit(cancelled);
    return cancelled;
  }

  waitForDeployment(id: string, options: WaitForDeploymentOptions = {}): Promise<Deployment> {
    return waitForDeployment(this, id, { ...options, pollIntervalMs: this.#waitPollIntervalMs });
  }

  watchDeployments(listener: DeploymentListener): () => void {
    return this.#events.subscribe(listener);
  }

  /** How many deployment listeners are subscribed. */
  get watcherCount(): number {
    return this.#events.size;
  }

  // ---- claims (several replicas, one engine each) ----

  claimDeployments(owner: string, leaseMs: number, ids?: readonly string[]): Promise<ClaimedDeployment[]> {
    const now = this.#clock();
    const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
    return deployments.claimDeployments(this.#pool, {
      owner,
      now: now.toISOString(),
      leaseUntil,
      ids: ids ?? null,
    });
  }

  async transitionClaimed(
    owner: string,
    id: string,
    from: DeploymentStatus,
    to: DeploymentStatus,
    reason?: string,
  ): Promise<Deployment | undefined> {
    const change = { id, from, to, reason: reason ?? null, now: this.#now(), owner };
    return this.#emitted(await deployments.transitionDeployment(this.#pool, change));
  }

  async releaseClaims(owner: string): Promise<void> {
    await this.#pool.query(
      "UPDATE deployments SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = $1 AND status IN ('queued', 'in_progress')",
      [owner],
    );
  }

  // ---- the transactional import ----

  async importRecords(batch: ImportBatch, options: ImportOptions = {}): Promise<ImportResult> {
    enforce(refuseBatch(batch));
    return inTransaction(this.#pool, async (client) => {
      const importedAt = this.#now();
      const counts = await writePgImportBatch(client, batch, importedAt, options.onStep);
      const batchId = this.#newId("imp");
      await client.query(
        `INSERT INTO import_batches (id, imported_at, users, items, projects, applications, versions)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          batchId,
          importedAt,
          counts.users,
          counts.items,
          counts.projects,
          counts.applications,
          counts.versions,
        ],
      );
      return { batchId, importedAt, counts };
    });
  }

  // ---- lifecycle ----

  async ping(): Promise<void> {
    await this.#pool.query("SELECT 1");
  }

  #closed = false;

  async close(): Promise<void> {
    this.#events.clear();
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async #rows<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    return (await this.#pool.query<R>(sql, values)).rows;
  }

  #emitted(changed: Deployment | undefined): Deployment | undefined {
    if (changed !== undefined) this.#events.emit(changed);
    return changed;
  }

  #now(): string {
    return this.#clock().toISOString();
  }
}

/** Seeds a new database in the transaction that marks it seeded: replicas racing here seed once. */
async function seedOnce(pool: pg.Pool, seed: ImportBatch, now: string): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    const marked = await client.query(
      "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
      [SEEDED_AT_KEY, now],
    );
    if (marked.rowCount === 0) return false;
    await writePgImportBatch(client, seed, now, undefined);
    return true;
  });
}

function unknownRecord(collection: RecordCollection, id: string, known: readonly string[]): RefusalError {
  return new RefusalError({ kind: "unknown_record", collection, id, known });
}
