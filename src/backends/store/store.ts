import type { DeploymentStatus, Environment } from "../../domain/deployments.js";
import type { ProjectStatus } from "../../domain/projects.js";
import type { JsonObject, UserRole } from "../../domain/records.js";

/**
 * The product's data, behind an interface with no storage types in it: the embedded SQLite store
 * and the shared PostgreSQL store (several replicas on one database) both implement it. Every
 * method is async for the latter, even where SQLite answers synchronously.
 *
 * Conventions callers can rely on:
 * - `get*` lookups resolve to `undefined` on a miss: absence is an answer, and the tool decides
 *   how to phrase it (with `list*` giving the candidates for "did you mean").
 * - Writes and per-resource lists reject with a RefusalError (src/domain/refusal.ts) when the
 *   rules refuse: typed data, no wording; the rules themselves live in src/domain, so every
 *   store refuses alike. Anything unexpected (a full disk, a read-only file, a closed store)
 *   rejects with the storage engine's own error, for the error service to classify.
 */

/** A user, as get_user returns it. Ids are strings of digits ("1", "2"). */
export interface User {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly role: UserRole;
  readonly createdAt: string;
}

/** A catalogue item; ids look like "item-001", and names are unique so either can be suggested. */
export interface Item {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly priceCents: number;
  readonly createdAt: string;
}

/** A project, as manage_project works on it. */
export interface Project {
  readonly name: string;
  readonly settings: JsonObject;
  readonly status: ProjectStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly archivedAt: string | null;
}

/** An application that can be deployed. */
export interface Application {
  readonly name: string;
  readonly description: string;
  /** The highest version by semver precedence, or null if the application has none. */
  readonly latestVersion: string | null;
  readonly createdAt: string;
}

/** One released version of an application. */
export interface AppVersion {
  readonly app: string;
  /** A semver 2.0.0 version string, e.g. "1.10.0" or "2.0.0-rc.1". */
  readonly version: string;
  readonly notes: string;
  readonly releasedAt: string;
}

/** A deployment of one application version to one environment. */
export interface Deployment {
  readonly id: string;
  readonly app: string;
  readonly environment: Environment;
  readonly version: string;
  readonly status: DeploymentStatus;
  /** Why it failed, was cancelled or was interrupted; null otherwise. */
  readonly reason: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly updatedAt: string;
}

/** Filters for listing deployments, newest first. */
export interface DeploymentFilter {
  readonly app?: string;
  readonly environment?: Environment;
  readonly status?: DeploymentStatus;
  /** At most this many (default 50). */
  readonly limit?: number;
  /** Only deployments listed after this one (older, or as old with a smaller id): a page's end. */
  readonly after?: { readonly createdAt: string; readonly id: string };
}

/** Called with a deployment each time its status changes (after the change is committed). */
export type DeploymentListener = (deployment: Deployment) => void;

/** What a tool can ask of waitForDeployment. */
export interface WaitForDeploymentOptions {
  /** Stops waiting (the deployment itself goes on); the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called with the current state first, then after every status change: a progress stream. */
  readonly onChange?: DeploymentListener;
}

/** A new user in an import batch. */
export interface NewUser {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly role: UserRole;
}

/** A new item in an import batch. */
export interface NewItem {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly priceCents: number;
}

/** A new project in an import batch. */
export interface NewProject {
  readonly name: string;
  readonly settings?: JsonObject;
}

/** A new application, with its versions, in an import batch. */
export interface NewApplication {
  readonly name: string;
  readonly description?: string;
  readonly versions?: readonly { readonly version: string; readonly notes?: string }[];
}

/** Records written together by importRecords: all of them, or none. */
export interface ImportBatch {
  readonly users?: readonly NewUser[];
  readonly items?: readonly NewItem[];
  readonly projects?: readonly NewProject[];
  readonly applications?: readonly NewApplication[];
}

/** One row importRecords has just written (inside the still-open transaction). */
export interface ImportStep {
  /** 1 for the first row written, counting every row of every table. */
  readonly index: number;
  readonly table: "users" | "items" | "projects" | "applications" | "app_versions";
  readonly key: string;
}

/** Options of importRecords. */
export interface ImportOptions {
  /**
   * Called after each row is written, inside the transaction. Throwing from it rolls the whole
   * batch back: tests use it to inject a failure midway (and a crash test to widen the window).
   */
  readonly onStep?: (step: ImportStep) => void;
}

/** What one importRecords call wrote, with the id of its batch record. */
export interface ImportResult {
  readonly batchId: string;
  readonly importedAt: string;
  readonly counts: {
    readonly users: number;
    readonly items: number;
    readonly projects: number;
    readonly applications: number;
    readonly versions: number;
  };
}

/**
 * What the DeploymentEngine needs: state, a compare-and-set transition, and change events. Kept
 * apart from Store so the engine can run against any backend and tools are not tempted to drive
 * the state machine themselves.
 */
export interface DeploymentStateStore {
  getDeployment(id: string): Promise<Deployment | undefined>;
  /** Deployments still queued or in_progress, oldest first (for start-up recovery). */
  listActiveDeployments(): Promise<Deployment[]>;
  /**
   * Moves a deployment from `from` to `to` if it is still in `from`; resolves to the updated
   * deployment, or undefined if it was not in `from` any more (e.g. cancelled meanwhile).
   * An illegal transition (see DEPLOYMENT_TRANSITIONS) rejects: that is a programming error.
   */
  transitionDeployment(
    id: string,
    from: DeploymentStatus,
    to: DeploymentStatus,
    reason?: string,
  ): Promise<Deployment | undefined>;
  /** Subscribes to status changes of every deployment; returns the unsubscribe function. */
  watchDeployments(listener: DeploymentListener): () => void;
}

/** A deployment an engine claimed, and whose claim it took over (null: nobody's, or its own). */
export interface ClaimedDeployment {
  readonly deployment: Deployment;
  /** The replica whose lease had passed when this claim took the deployment over. */
  readonly takenOverFrom: string | null;
}

/**
 * Claims on deployments, for stores several replicas share: each active deployment is run by the
 * one engine that holds its lease, which renews it while alive. A replica that dies stops
 * renewing, and once the lease passes another engine claims the deployment and carries it on.
 */
export interface DeploymentClaimStore {
  /**
   * Claims, for `owner` until now + leaseMs, the active deployments nobody holds, those whose
   * lease has passed, and renews those `owner` already holds; only `ids` when given. Rows another
   * claim is writing are skipped, never waited for. Resolves to what `owner` now holds.
   */
  claimDeployments(owner: string, leaseMs: number, ids?: readonly string[]): Promise<ClaimedDeployment[]>;
  /** A transition (as transitionDeployment) that happens only while `owner` holds the claim. */
  transitionClaimed(
    owner: string,
    id: string,
    from: DeploymentStatus,
    to: DeploymentStatus,
    reason?: string,
  ): Promise<Deployment | undefined>;
  /** Gives up every claim of `owner` (a clean stop), so another replica takes over at once. */
  releaseClaims(owner: string): Promise<void>;
}

/** The product's data, as the tools see it. */
export interface Store extends DeploymentStateStore {
  getUser(id: string): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  /** Every user id, in the order listUsers returns them (for "did you mean"). */
  listUserIds(): Promise<string[]>;

  getItem(id: string): Promise<Item | undefined>;
  listItems(): Promise<Item[]>;
  /**
   * The ids and names next to `query` in sort order (as given, lower-cased and capitalised),
   * at most `perSide` on each side of each: bounded candidates for did-you-mean and for a
   * case-insensitive name match, read through the indexes whatever the table's size.
   */
  itemNeighbours(query: string, perSide: number): Promise<{ id: string; name: string }[]>;

  listProjects(): Promise<Project[]>;
  getProject(name: string): Promise<Project | undefined>;
  /** Refuses duplicate_record if the name is taken, invalid_value for settings that are no object. */
  createProject(name: string, settings: JsonObject): Promise<Project>;
  /**
   * Merges `settings` into the project's (RFC 7396 JSON Merge Patch: keys replace, null deletes).
   * Refuses unknown_record, or project_archived.
   */
  updateProject(name: string, settings: JsonObject): Promise<Project>;
  /** Deletes the project and resolves to it as it was; refuses unknown_record. */
  deleteProject(name: string): Promise<Project>;
  /** Marks the project archived (idempotent); refuses unknown_record. */
  archiveProject(name: string): Promise<Project>;

  listApplications(): Promise<Application[]>;
  getApplication(name: string): Promise<Application | undefined>;
  /** Versions, highest semver first; refuses unknown_record for an unknown application. */
  listAppVersions(appName: string): Promise<AppVersion[]>;

  /**
   * Queues a deployment (version defaults to the application's latest). Refuses invalid_value
   * (environment), unknown_record (application), no_versions, unknown_version (with the
   * available versions), or deployment_in_progress when the app+environment already has a
   * queued or in_progress deployment (see src/domain/deployments.ts).
   */
  startDeployment(app: string, environment: Environment, version?: string): Promise<Deployment>;
  /** Newest first. */
  listDeployments(filter?: DeploymentFilter): Promise<Deployment[]>;
  /** The queued or in_progress deployment of this app+environment, if any. */
  activeDeploymentFor(app: string, environment: Environment): Promise<Deployment | undefined>;
  /**
   * Cancels a queued or in_progress deployment. Refuses unknown_record (with recent ids), or
   * deployment_finished.
   */
  cancelDeployment(id: string): Promise<Deployment>;
  /**
   * Resolves when the deployment reaches a terminal status; refuses unknown_record for an
   * unknown id, or with the signal's reason on abort (which leaves the deployment running).
   */
  waitForDeployment(id: string, options?: WaitForDeploymentOptions): Promise<Deployment>;

  /** The multi-step write: every record of the batch in one transaction, or none. */
  importRecords(batch: ImportBatch, options?: ImportOptions): Promise<ImportResult>;

  /** Resolves if the store can serve reads now (readiness); rejects otherwise. */
  ping(): Promise<void>;
  /** Releases the store; further calls reject. Safe to call twice. */
  close(): Promise<void>;
}
