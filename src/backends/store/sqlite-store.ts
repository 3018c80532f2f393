/*
 * Why this file is long (about 500 lines): it implements the whole Store interface (users,
 * items, projects, applications, deployments, the import, lifecycle) on one connection, and
 * keeping every method on the one class keeps the one discipline visible: each write is a single
 * immediate transaction around statements from sqlite-statements.ts, rows mapped by
 * sqlite-rows.ts, and rules from src/domain. Each method is a few lines of that plumbing; the
 * parts with logic of their own live beside it (sqlite-import.ts, sqlite-duplicates.ts,
 * deployment-waiter.ts, migrations.ts).
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import {
  DEPLOYMENT_TRANSITIONS,
  chooseVersion,
  isTerminalDeploymentStatus,
  refuseCancel,
  refuseEnvironment,
  refuseStart,
  type DeploymentStatus,
  type Environment,
} from "../../domain/deployments.js";
import { refuseUpdate } from "../../domain/projects.js";
import { refuseBatch, refuseSettings, type JsonObject } from "../../domain/records.js";
import { RefusalError, enforce, type RecordCollection } from "../../domain/refusal.js";
import { DeploymentEvents, type ListenerErrorHandler } from "./deployment-events.js";
import { waitForDeployment } from "./deployment-waiter.js";
import { compareSemver } from "../../domain/semver.js";
import { assertSchemaCurrent, migrate } from "./migrations.js";
import { timeSortableId, type IdGenerator } from "./record-ids.js";
import { DEFAULT_SEED } from "./seed.js";
import { insertOrDuplicate, isSqliteCode } from "./sqlite-duplicates.js";
import { writeImportBatch } from "./sqlite-import.js";
import { openReadOnly } from "./sqlite-read-only.js";
import {
  groupVersions,
  toAppVersion,
  toApplication,
  toDeployment,
  toItem,
  toProject,
  toUser,
} from "./sqlite-rows.js";
import { probeSqliteWrite, type StoreRoom } from "./sqlite-write-probe.js";
import {
  prepareStatements,
  type ApplicationRow,
  type DeploymentRow,
  type Statements,
} from "./sqlite-statements.js";
import type {
  AppVersion,
  Application,
  Deployment,
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

/** The data file's name inside the data directory. */
export const DATA_FILE_NAME = "resilient-mcp.sqlite";

/** Pass as `dataDir` for a private in-memory database (fast tests; nothing survives close). */
export const IN_MEMORY = ":memory:";

/** Defaults of the tunable options. */
export const SQLITE_STORE_DEFAULTS = {
  busyTimeoutMs: 5000,
  waitPollIntervalMs: 1000,
  deploymentListLimit: 50,
} as const;

const MAX_DEPLOYMENT_LIST_LIMIT = 500;
// The meta key whose presence means "this file has been seeded": seeding never runs twice, even
// if the rows it wrote are later deleted.
const SEEDED_AT_KEY = "seeded_at";

/** How to open a SqliteStore. */
export interface SqliteStoreOptions {
  /** Directory of `resilient-mcp.sqlite`, created if missing; IN_MEMORY for an in-memory database. */
  readonly dataDir: string;
  /**
   * Opens the existing file read-only: reads work, every write rejects with SQLITE_READONLY (the
   * error service's permission_denied). SQLite enforces it, so it holds even for root. Nothing on
   * disk changes; a directory that cannot be written is served from an in-memory copy.
   */
  readonly readOnly?: boolean;
  /** What a new file starts with (default DEFAULT_SEED); false for an empty store. */
  readonly seed?: ImportBatch | false;
  /** Caps the file's size; a write beyond it rejects with SQLITE_FULL, as a full disk does. */
  readonly maxSizeBytes?: number;
  /** How long a write waits for another connection's lock before SQLITE_BUSY (default 5000). */
  readonly busyTimeoutMs?: number;
  /** waitForDeployment's safety re-read interval (default 1000, at least 50). */
  readonly waitPollIntervalMs?: number;
  /** Injectable for tests; timestamps are its ISO strings. */
  readonly clock?: () => Date;
  readonly newId?: IdGenerator;
  /** Receives errors thrown by deployment listeners (default: a process warning). */
  readonly onListenerError?: ListenerErrorHandler;
}

/**
 * The embedded store: one SQLite file in WAL mode with synchronous=FULL, so a transaction is on
 * disk when its call resolves and a crash (even of the machine) loses nothing committed. Foreign
 * keys are on; every write is one immediate transaction (taking the write lock up front, so a
 * read-then-write cannot be overtaken by another connection); statements are prepared once.
 *
 * One process should own a data file: SQLite keeps several processes consistent, but deployment
 * events (and so the DeploymentEngine's timers) are per process.
 */
export class SqliteStore implements Store {
  /** The data file's path, or IN_MEMORY. */
  readonly file: string;
  readonly readOnly: boolean;
  /** "wal" for a file; "memory" for IN_MEMORY and for the in-memory copy of a read-only store. */
  readonly journalMode: string;
  /** True if this open wrote the sample data (the first start of a new file). */
  readonly seededNow: boolean;

  readonly #db: Database.Database;
  readonly #sql: Statements;
  readonly #events: DeploymentEvents;
  readonly #clock: () => Date;
  readonly #newId: IdGenerator;
  readonly #waitPollIntervalMs: number;

  /** Opens (creating, migrating and seeding on first start) the store; throws if it cannot. */
  static open(options: SqliteStoreOptions): SqliteStore {
    return new SqliteStore(options);
  }

  private constructor(options: SqliteStoreOptions) {
    const memory = options.dataDir === IN_MEMORY;
    this.readOnly = options.readOnly ?? false;
    if (memory && this.readOnly)
      throw new Error("An in-memory store cannot be read-only: it would stay empty.");
    if (!memory && !this.readOnly) mkdirSync(options.dataDir, { recursive: true });
    this.file = memory ? IN_MEMORY : path.join(options.dataDir, DATA_FILE_NAME);
    this.#clock = options.clock ?? (() => new Date());
    this.#newId = options.newId ?? ((prefix) => timeSortableId(prefix, () => this.#clock().getTime()));
    this.#waitPollIntervalMs = options.waitPollIntervalMs ?? SQLITE_STORE_DEFAULTS.waitPollIntervalMs;
    this.#events = new DeploymentEvents(options.onListenerError);

    const timeout = options.busyTimeoutMs ?? SQLITE_STORE_DEFAULTS.busyTimeoutMs;
    this.#db = this.readOnly ? openReadOnly(this.file, timeout) : new Database(this.file, { timeout });
    try {
      this.journalMode = this.#configure(options.maxSizeBytes);
      if (this.readOnly) assertSchemaCurrent(this.#db);
      else migrate(this.#db);
      this.#sql = prepareStatements(this.#db);
      const seed = options.seed ?? DEFAULT_SEED;
      this.seededNow = !this.readOnly && seed !== false && this.#seedOnce(seed);
    } catch (error) {
      this.#db.close();
      throw error;
    }
  }

  #configure(maxSizeBytes: number | undefined): string {
    if (!this.readOnly) {
      // WAL: readers never block the writer. It is persistent, so a read-only open finds it set.
      this.#db.pragma("journal_mode = WAL");
      // FULL syncs the WAL at every commit: a power cut loses nothing committed (NORMAL could
      // lose the last commits). Writes here are rare and small, so the fsync is cheap.
      this.#db.pragma("synchronous = FULL");
    }
    this.#db.pragma("foreign_keys = ON");
    if (maxSizeBytes !== undefined) {
      const pageSize = Number(this.#db.pragma("page_size", { simple: true }));
      const pages = Math.max(1, Math.floor(maxSizeBytes / pageSize));
      this.#db.pragma(`max_page_count = ${String(pages)}`);
    }
    return String(this.#db.pragma("journal_mode", { simple: true }));
  }

  #seedOnce(seed: ImportBatch): boolean {
    const run = this.#db.transaction((): boolean => {
      if (this.#sql.getMeta.get(SEEDED_AT_KEY) !== undefined) return false;
      const now = this.#now();
      writeImportBatch(this.#sql, seed, now, undefined);
      this.#sql.setMeta.run(SEEDED_AT_KEY, now);
      return true;
    });
    return run.immediate();
  }

  // ---- users and items ----

  getUser(id: string): Promise<User | undefined> {
    return defer(() => mapOptional(this.#sql.userById.get(id), toUser));
  }

  listUsers(): Promise<User[]> {
    return defer(() => this.#sql.allUsers.all().map(toUser));
  }

  listUserIds(): Promise<string[]> {
    return defer(() => this.#sql.allUserIds.all());
  }

  getItem(id: string): Promise<Item | undefined> {
    return defer(() => mapOptional(this.#sql.itemById.get(id), toItem));
  }

  listItems(): Promise<Item[]> {
    return defer(() => this.#sql.allItems.all().map(toItem));
  }

  itemNeighbours(query: string, perSide: number): Promise<{ id: string; name: string }[]> {
    return defer(() => {
      const sql = this.#sql;
      const lower = query.toLowerCase();
      const capitalised = lower.charAt(0).toUpperCase() + lower.slice(1);
      const found = new Map<string, { id: string; name: string }>();
      for (const key of new Set([query, lower, capitalised])) {
        for (const statement of [
          sql.itemsFromId,
          sql.itemsBeforeId,
          sql.itemsFromName,
          sql.itemsBeforeName,
        ]) {
          for (const row of statement.all(key, perSide)) found.set(row.id, { id: row.id, name: row.name });
        }
      }
      return [...found.values()];
    });
  }

  // ---- projects ----

  listProjects(): Promise<Project[]> {
    return defer(() => this.#sql.allProjects.all().map(toProject));
  }

  getProject(name: string): Promise<Project | undefined> {
    return defer(() => mapOptional(this.#sql.projectByName.get(name), toProject));
  }

  createProject(name: string, settings: JsonObject): Promise<Project> {
    return defer(() => {
      enforce(refuseSettings(settings, "settings"));
      return this.#write(() => {
        const now = this.#now();
        insertOrDuplicate(
          () => this.#sql.insertProject.run({ name, settings: JSON.stringify(settings), now }),
          {
            collection: "projects",
            id: name,
          },
        );
        return this.#projectOrThrow(name);
      });
    });
  }

  updateProject(name: string, settings: JsonObject): Promise<Project> {
    return defer(() => {
      enforce(refuseSettings(settings, "settings"));
      return this.#write(() => {
        enforce(refuseUpdate(this.#projectOrThrow(name)));
        this.#sql.patchProject.run({ name, patch: JSON.stringify(settings), now: this.#now() });
        return this.#projectOrThrow(name);
      });
    });
  }

  deleteProject(name: string): Promise<Project> {
    return defer(() =>
      this.#write(() => {
        const current = this.#projectOrThrow(name);
        this.#sql.deleteProject.run(name);
        return current;
      }),
    );
  }

  archiveProject(name: string): Promise<Project> {
    return defer(() =>
      this.#write(() => {
        const current = this.#projectOrThrow(name);
        // Idempotent: a model retrying after a lost answer gets the same result, not an error.
        if (current.status === "archived") return current;
        this.#sql.archiveProject.run({ name, now: this.#now() });
        return this.#projectOrThrow(name);
      }),
    );
  }

  #projectOrThrow(name: string): Project {
    const row = this.#sql.projectByName.get(name);
    if (row === undefined) throw unknownRecord("projects", name, this.#sql.projectNames.all());
    return toProject(row);
  }

  // ---- applications and versions ----

  listApplications(): Promise<Application[]> {
    return defer(() => {
      const versions = groupVersions(this.#sql.allVersions.all());
      return this.#sql.allApplications.all().map((row) => toApplication(row, versions.get(row.name) ?? []));
    });
  }

  getApplication(name: string): Promise<Application | undefined> {
    return defer(() => {
      const row = this.#sql.applicationByName.get(name);
      return row === undefined ? undefined : toApplication(row, this.#sql.versionsOf.all(name));
    });
  }

  listAppVersions(appName: string): Promise<AppVersion[]> {
    return defer(() => {
      this.#applicationOrThrow(appName);
      return this.#sql.versionsOf
        .all(appName)
        .sort((a, b) => compareSemver(b.version, a.version))
        .map(toAppVersion);
    });
  }

  #applicationOrThrow(name: string): ApplicationRow {
    const row = this.#sql.applicationByName.get(name);
    if (row === undefined) throw unknownRecord("applications", name, this.#sql.applicationNames.all());
    return row;
  }

  // ---- deployments ----

  startDeployment(app: string, environment: Environment, version?: string): Promise<Deployment> {
    return defer(() => {
      enforce(refuseEnvironment(environment));
      const deployment = this.#write(() => {
        this.#applicationOrThrow(app);
        const available = this.#sql.versionsOf.all(app).map((row) => row.version);
        const choice = chooseVersion(app, available, version);
        if ("refusal" in choice) throw new RefusalError(choice.refusal);
        const chosen = choice.version;
        enforce(refuseStart(mapOptional(this.#sql.activeDeploymentFor.get(app, environment), toDeployment)));
        const now = this.#now();
        const row: DeploymentRow = {
          id: this.#newId("dep"),
          app_name: app,
          environment,
          version: chosen,
          status: "queued",
          reason: null,
          created_at: now,
          started_at: null,
          finished_at: null,
          updated_at: now,
        };
        try {
          this.#sql.insertDeployment.run(row);
        } catch (error) {
          // The partial unique index fired: another connection got in first despite the check.
          const winner = isSqliteCode(error, "SQLITE_CONSTRAINT_UNIQUE")
            ? this.#sql.activeDeploymentFor.get(app, environment)
            : undefined;
          const refusal = refuseStart(mapOptional(winner, toDeployment));
          if (refusal !== undefined) throw new RefusalError(refusal, { cause: error });
          throw error;
        }
        return toDeployment(row);
      });
      this.#events.emit(deployment);
      return deployment;
    });
  }

  getDeployment(id: string): Promise<Deployment | undefined> {
    return defer(() => mapOptional(this.#sql.deploymentById.get(id), toDeployment));
  }

  listDeployments(filter: DeploymentFilter = {}): Promise<Deployment[]> {
    return defer(() => {
      const limit = Math.min(
        MAX_DEPLOYMENT_LIST_LIMIT,
        Math.max(1, Math.trunc(filter.limit ?? SQLITE_STORE_DEFAULTS.deploymentListLimit)),
      );
      return this.#sql.listDeployments
        .all({
          app: filter.app ?? null,
          environment: filter.environment ?? null,
          status: filter.status ?? null,
          after_created: filter.after?.createdAt ?? null,
          after_id: filter.after?.id ?? null,
          limit,
        })
        .map(toDeployment);
    });
  }

  listActiveDeployments(): Promise<Deployment[]> {
    return defer(() => this.#sql.activeDeployments.all().map(toDeployment));
  }

  activeDeploymentFor(app: string, environment: Environment): Promise<Deployment | undefined> {
    return defer(() => mapOptional(this.#sql.activeDeploymentFor.get(app, environment), toDeployment));
  }

  transitionDeployment(
    id: string,
    from: DeploymentStatus,
    to: DeploymentStatus,
    reason?: string,
  ): Promise<Deployment | undefined> {
    return defer(() => {
      if (!DEPLOYMENT_TRANSITIONS[from].includes(to)) {
        throw new Error(`Illegal deployment transition ${from} -> ${to} for ${id}`);
      }
      const changed = this.#write(() => this.#transition(id, from, to, reason ?? null));
      if (changed !== undefined) this.#events.emit(changed);
      return changed;
    });
  }

  cancelDeployment(id: string): Promise<Deployment> {
    return defer(() => {
      const cancelled = this.#write(() => {
        const row = this.#sql.deploymentById.get(id);
        if (row === undefined) {
          const recent = this.#sql.recentDeploymentIds.all(SQLITE_STORE_DEFAULTS.deploymentListLimit);
          throw unknownRecord("deployments", id, recent);
        }
        enforce(refuseCancel(toDeployment(row)));
        // Inside the write transaction the status just read cannot change underneath us.
        const changed = this.#transition(id, row.status, "cancelled", "Cancelled on request");
        if (changed === undefined) throw new Error(`Deployment ${id} changed inside its own transaction`);
        return changed;
      });
      this.#events.emit(cancelled);
      return cancelled;
    });
  }

  waitForDeployment(id: string, options: WaitForDeploymentOptions = {}): Promise<Deployment> {
    return waitForDeployment(this, id, { ...options, pollIntervalMs: this.#waitPollIntervalMs });
  }

  watchDeployments(listener: DeploymentListener): () => void {
    return this.#events.subscribe(listener);
  }

  /** How many deployment listeners are subscribed: a wait that ended must leave none behind. */
  get watcherCount(): number {
    return this.#events.size;
  }

  #transition(
    id: string,
    from: DeploymentStatus,
    to: DeploymentStatus,
    reason: string | null,
  ): Deployment | undefined {
    const now = this.#now();
    const result = this.#sql.transitionDeployment.run({
      id,
      from,
      to,
      reason,
      started: to === "in_progress" ? now : null,
      finished: isTerminalDeploymentStatus(to) ? now : null,
      now,
    });
    if (result.changes === 0) return undefined;
    return mapOptional(this.#sql.deploymentById.get(id), toDeployment);
  }

  // ---- the transactional import ----

  importRecords(batch: ImportBatch, options: ImportOptions = {}): Promise<ImportResult> {
    return defer(() => {
      enforce(refuseBatch(batch));
      return this.#write((): ImportResult => {
        const importedAt = this.#now();
        const counts = writeImportBatch(this.#sql, batch, importedAt, options.onStep);
        const batchId = this.#newId("imp");
        this.#sql.insertImportBatch.run({ id: batchId, imported_at: importedAt, ...counts });
        return { batchId, importedAt, counts };
      });
    });
  }

  // ---- lifecycle ----

  /** For the health monitor: commits one small write and says how much room is left (see sqlite-write-probe.ts). */
  probeWrite(): Promise<StoreRoom> {
    return defer(() => probeSqliteWrite(this.#db, this.#now()));
  }

  ping(): Promise<void> {
    return defer(() => {
      this.#sql.ping.get();
    });
  }

  close(): Promise<void> {
    return defer(() => {
      this.#events.clear();
      if (this.#db.open) this.#db.close();
    });
  }

  /** One immediate transaction: the write lock is taken before the first read. */
  #write<T>(work: () => T): T {
    return this.#db.transaction(work).immediate();
  }

  #now(): string {
    return this.#clock().toISOString();
  }
}

/** Runs synchronous work as a promise, so a throw becomes a rejection like any async store's. */
function defer<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(work());
  });
}

function mapOptional<R, T>(row: R | undefined, map: (row: R) => T): T | undefined {
  return row === undefined ? undefined : map(row);
}

function unknownRecord(collection: RecordCollection, id: string, known: readonly string[]): RefusalError {
  return new RefusalError({ kind: "unknown_record", collection, id, known });
}
