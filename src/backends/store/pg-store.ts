/*
 * Why this file is a little over 300 lines: it is the Store interface on PostgreSQL, one short
 * method per operation; the SQL and the logic live beside it (pg-deployments.ts,
 * pg-deployment-writes.ts, pg-projects.ts, pg-applications.ts, pg-import.ts, pg-migrations.ts).
 */
import pg from "pg";
import { type DeploymentStatus, type Environment } from "../../domain/deployments.js";
import { refuseBatch, type JsonObject } from "../../domain/records.js";
import { enforce } from "../../domain/refusal.js";
import { DeploymentEvents, type ListenerErrorHandler } from "./deployment-events.js";
import { waitForDeployment } from "./deployment-waiter.js";
import * as applications from "./pg-applications.js";
import * as deployments from "./pg-deployments.js";
import { itemNeighbours } from "./pg-items.js";
import { cancelDeployment, queueDeployment } from "./pg-deployment-writes.js";
import * as projects from "./pg-projects.js";
import { writePgImportBatch } from "./pg-import.js";
import { migratePg } from "./pg-migrations.js";
import { inTransaction, markPoolErrors } from "./pg-transaction.js";
import { timeSortableId, type IdGenerator } from "./record-ids.js";
import { DEFAULT_SEED } from "./seed.js";
import { toItem, toUser } from "./sqlite-rows.js";
import type { ItemRow, UserRow } from "./sqlite-statements.js";
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
  readonly #projects: ReturnType<typeof projects.projectWrites>;

  /** Connects, migrates (one replica at a time) and seeds a new database once; rejects if it cannot. */
  static async open(options: PgStoreOptions): Promise<PgStore> {
    const statementTimeoutMs = options.statementTimeoutMs ?? PG_STORE_DEFAULTS.statementTimeoutMs;
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolMax ?? PG_STORE_DEFAULTS.poolMax,
      connectionTimeoutMillis: options.connectTimeoutMs ?? PG_STORE_DEFAULTS.connectTimeoutMs,
      statement_timeout: statementTimeoutMs,
      // The server's statement_timeout cannot fire if the server stops answering altogether (a
      // frozen host, a dropped network): the client gives up a second later.
      query_timeout: statementTimeoutMs + 1000,
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
    this.#projects = projects.projectWrites(pool, () => this.#now());
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

  itemNeighbours(query: string, perSide: number): Promise<{ id: string; name: string }[]> {
    return itemNeighbours(this.#pool, query, perSide);
  }

  // ---- projects ----

  listProjects(): Promise<Project[]> {
    return projects.listProjects(this.#pool);
  }

  getProject(name: string): Promise<Project | undefined> {
    return projects.getProject(this.#pool, name);
  }

  createProject(name: string, settings: JsonObject): Promise<Project> {
    return this.#projects.createProject(name, settings);
  }

  updateProject(name: string, settings: JsonObject): Promise<Project> {
    return this.#projects.updateProject(name, settings);
  }

  deleteProject(name: string): Promise<Project> {
    return this.#projects.deleteProject(name);
  }

  archiveProject(name: string): Promise<Project> {
    return this.#projects.archiveProject(name);
  }

  // ---- applications and versions ----

  listApplications(): Promise<Application[]> {
    return applications.listApplications(this.#pool);
  }

  getApplication(name: string): Promise<Application | undefined> {
    return applications.getApplication(this.#pool, name);
  }

  listAppVersions(appName: string): Promise<AppVersion[]> {
    return applications.listAppVersions(this.#pool, appName);
  }

  // ---- deployments ----

  async startDeployment(app: string, environment: Environment, version?: string): Promise<Deployment> {
    const request = { app, environment, version, id: this.#newId("dep"), now: this.#now() };
    return this.#emitted(await queueDeployment(this.#pool, request)) as Deployment;
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
    const listLimit = PG_STORE_DEFAULTS.deploymentListLimit;
    return this.#emitted(
      await cancelDeployment(this.#pool, { id, now: this.#now(), listLimit }),
    ) as Deployment;
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
