import type { DeploymentStatus } from "../../domain/deployments.js";
import {
  DEPLOYMENT_ENGINE_DEFAULTS,
  UNREF_TIMERS,
  failVersionsEndingWith,
  type DeploymentEngineOptions,
  type DeploymentFailureRule,
  type EngineClaims,
  type EngineTimers,
} from "./deployment-engine-options.js";
import type { Deployment, DeploymentStateStore } from "./store.js";

export {
  DEPLOYMENT_ENGINE_DEFAULTS,
  UNREF_TIMERS,
  failVersionsEndingWith,
  type DeploymentEngineOptions,
  type DeploymentFailureRule,
  type EngineClaims,
  type EngineTimers,
};

/** What start() found left over from a previous run. */
export interface RecoveryReport {
  /** Queued deployments that will run after a fresh queue delay. */
  readonly resumed: readonly string[];
  /** Deployments that were in_progress: now `interrupted`. */
  readonly interrupted: readonly string[];
}

/** The reason recorded on a deployment the server stopped in the middle of. */
export const INTERRUPTED_REASON =
  "The server stopped while this deployment was in progress, so its outcome is unknown; start a new deployment.";

/**
 * Runs deployments through the state machine: queued → (queuedMs) → in_progress → (runMs) →
 * succeeded or failed. It is driven by the store's change events: a `queued` event schedules the
 * start, the `in_progress` event of its own transition schedules the finish, and a terminal event
 * (a cancel, from any caller) drops the timer. Every step is a compare-and-set transition, so a
 * cancel that lands while a timer is firing wins cleanly: the engine's step then changes nothing.
 *
 * Start-up recovery: queued deployments are resumed (nothing has happened yet, the request still
 * stands); in_progress ones are marked `interrupted`, because work was underway when the process
 * died and pretending to know its outcome would be a lie. Both free the app+environment slot
 * honestly. With several replicas sharing a store, give each engine `claims`: it then runs only
 * the deployments it holds a lease on, and recovery is the takeover of expired leases instead.
 */
export class DeploymentEngine {
  readonly #store: DeploymentStateStore;
  readonly #queuedMs: number;
  readonly #runMs: number;
  readonly #failureRule: DeploymentFailureRule;
  readonly #timers: EngineTimers;
  readonly #now: () => number;
  readonly #maxAttempts: number;
  readonly #retryDelayMs: number;
  readonly #onError: (error: unknown, deploymentId: string) => void;
  readonly #scheduled = new Map<string, unknown>();
  /** Deployments whose step failed every try; resumeStalled() picks them up again. */
  readonly #stalled = new Set<string>();
  #resuming: Promise<number> | undefined;
  readonly #claims: EngineClaims | undefined;
  #roundTimer: unknown;
  #unsubscribe: (() => void) | undefined;

  constructor(options: DeploymentEngineOptions) {
    this.#store = options.store;
    this.#queuedMs = nonNegative(options.queuedMs ?? DEPLOYMENT_ENGINE_DEFAULTS.queuedMs, "queuedMs");
    this.#runMs = nonNegative(options.runMs ?? DEPLOYMENT_ENGINE_DEFAULTS.runMs, "runMs");
    this.#failureRule = options.failureRule ?? failVersionsEndingWith();
    this.#timers = options.timers ?? UNREF_TIMERS;
    this.#now = options.now ?? Date.now;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? DEPLOYMENT_ENGINE_DEFAULTS.maxAttempts);
    this.#retryDelayMs = nonNegative(
      options.retryDelayMs ?? DEPLOYMENT_ENGINE_DEFAULTS.retryDelayMs,
      "retryDelayMs",
    );
    this.#onError = options.onError ?? (() => undefined);
    this.#claims = options.claims;
  }

  /** True between start() and stop(). */
  get running(): boolean {
    return this.#unsubscribe !== undefined;
  }

  /** How many deployments have a timer pending (for tests and shutdown logs). */
  get pendingCount(): number {
    return this.#scheduled.size;
  }

  /** Deployments whose next step failed every try and waits for resumeStalled() (a gauge reads it). */
  get stalledCount(): number {
    return this.#stalled.size;
  }

  /**
   * Reschedules the steps that gave up, from the store's current state, for the time they have
   * left (none if overdue): call it when the store accepts writes again. Unlike start(), nothing
   * is interrupted — the process never stopped, so an in_progress deployment still runs its
   * course. Resolves to how many were rescheduled; cheap when nothing is stalled.
   */
  resumeStalled(): Promise<number> {
    if (this.#stalled.size === 0 || this.#unsubscribe === undefined) return Promise.resolve(0);
    this.#resuming ??= this.#resume().finally(() => {
      this.#resuming = undefined;
    });
    return this.#resuming;
  }

  async #resume(): Promise<number> {
    const active = await this.#store.listActiveDeployments();
    const activeIds = new Set(active.map((deployment) => deployment.id));
    // Ended since (a cancel went through): nothing left to do for them.
    for (const id of this.#stalled) if (!activeIds.has(id)) this.#stalled.delete(id);
    let resumed = 0;
    for (const deployment of active) {
      if (!this.#stalled.delete(deployment.id)) continue;
      this.#scheduleFromState(deployment);
      resumed += 1;
    }
    return resumed;
  }

  /**
   * Subscribes to the store and recovers what a previous run left queued or in_progress. Call
   * once the store is open; calling it again while running does nothing.
   */
  async start(): Promise<RecoveryReport> {
    if (this.#unsubscribe !== undefined) return { resumed: [], interrupted: [] };
    // Subscribe before listing, so a deployment queued in between is seen (scheduling is idempotent).
    this.#unsubscribe = this.#store.watchDeployments((deployment) => {
      this.#onChange(deployment);
    });
    if (this.#claims !== undefined) {
      try {
        return await this.#claimRound();
      } catch (error) {
        this.stop();
        throw error;
      }
    }
    const resumed: string[] = [];
    const interrupted: string[] = [];
    try {
      for (const deployment of await this.#store.listActiveDeployments()) {
        if (deployment.status === "queued") {
          this.#schedule(deployment.id, this.#queuedMs, () => this.#begin(deployment.id));
          resumed.push(deployment.id);
        } else {
          const changed = await this.#store.transitionDeployment(
            deployment.id,
            "in_progress",
            "interrupted",
            INTERRUPTED_REASON,
          );
          if (changed !== undefined) interrupted.push(deployment.id);
        }
      }
    } catch (error) {
      this.stop();
      throw error;
    }
    return { resumed, interrupted };
  }

  /**
   * Clears every timer and unsubscribes. Deployments stay as they are in the store; the next
   * start() recovers them. Stop the engine before closing the store.
   */
  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    if (this.#roundTimer !== undefined) this.#timers.clearTimeout(this.#roundTimer);
    this.#roundTimer = undefined;
    for (const handle of this.#scheduled.values()) this.#timers.clearTimeout(handle);
    this.#scheduled.clear();
    this.#stalled.clear();
  }

  /**
   * Milliseconds until the deployment should finish, from the configured durations (0 once it
   * is terminal). For "estimated_duration" in results and retry_after_seconds of conflicts.
   */
  estimateRemainingMs(deployment: Deployment): number {
    const now = this.#now();
    switch (deployment.status) {
      case "queued":
        return Math.max(0, Date.parse(deployment.createdAt) + this.#queuedMs - now) + this.#runMs;
      case "in_progress": {
        const startedAt = Date.parse(deployment.startedAt ?? deployment.updatedAt);
        return Math.max(0, startedAt + this.#runMs - now);
      }
      default:
        return 0;
    }
  }

  /**
   * Stops, then gives this engine's claims up so another replica carries its deployments on at
   * once instead of after the lease (a clean shutdown). Stop before closing the store.
   */
  async handOver(): Promise<void> {
    this.stop();
    if (this.#claims !== undefined) await this.#claims.store.releaseClaims(this.#claims.owner);
  }

  /**
   * One round of claims: renews this engine's, takes over unclaimed and expired ones. A deployment
   * taken over in_progress is marked interrupted (its replica died mid-run: its outcome is
   * unknown, as after a restart); one taken over queued runs here. Schedules the next round.
   */
  async #claimRound(): Promise<RecoveryReport> {
    const claims = this.#claims;
    if (claims === undefined || this.#unsubscribe === undefined) return { resumed: [], interrupted: [] };
    const resumed: string[] = [];
    const interrupted: string[] = [];
    try {
      for (const { deployment, takenOverFrom } of await claims.store.claimDeployments(
        claims.owner,
        claims.leaseMs,
      )) {
        if (takenOverFrom !== null && deployment.status === "in_progress") {
          const changed = await this.#transition(
            deployment.id,
            "in_progress",
            "interrupted",
            INTERRUPTED_REASON,
          );
          if (changed !== undefined) interrupted.push(deployment.id);
        } else if (!this.#scheduled.has(deployment.id) && !this.#stalled.has(deployment.id)) {
          this.#scheduleFromState(deployment);
          if (takenOverFrom !== null || deployment.status === "queued") resumed.push(deployment.id);
        }
      }
    } finally {
      // stop() may have run while this round awaited the store.
      if (this.running) {
        this.#roundTimer = this.#timers.setTimeout(
          () => {
            this.#claimRound().catch((error: unknown) => {
              this.#onError(error, "claims");
            });
          },
          Math.max(1, Math.floor(claims.leaseMs / 3)),
        );
      }
    }
    return { resumed, interrupted };
  }

  /** Schedules the next step of a deployment for the time it has left (none if overdue). */
  #scheduleFromState(deployment: Deployment): void {
    const now = this.#now();
    if (deployment.status === "queued") {
      const wait = Date.parse(deployment.createdAt) + this.#queuedMs - now;
      this.#schedule(deployment.id, Math.max(0, wait), () => this.#begin(deployment.id));
    } else {
      const wait = Date.parse(deployment.startedAt ?? deployment.updatedAt) + this.#runMs - now;
      this.#schedule(deployment.id, Math.max(0, wait), () => this.#finish(deployment));
    }
  }

  #transition(
    id: string,
    from: DeploymentStatus,
    to: DeploymentStatus,
    reason?: string,
  ): Promise<Deployment | undefined> {
    const claims = this.#claims;
    return claims === undefined
      ? this.#store.transitionDeployment(id, from, to, reason)
      : claims.store.transitionClaimed(claims.owner, id, from, to, reason);
  }

  #onChange(deployment: Deployment): void {
    this.#stalled.delete(deployment.id);
    switch (deployment.status) {
      case "queued":
        if (this.#claims !== undefined) {
          this.#claimNew(this.#claims, deployment.id);
          return;
        }
        this.#schedule(deployment.id, this.#queuedMs, () => this.#begin(deployment.id));
        return;
      case "in_progress":
        this.#schedule(deployment.id, this.#runMs, () => this.#finish(deployment));
        return;
      default:
        this.#cancelTimer(deployment.id);
    }
  }

  /** A deployment queued through this replica: claim it at once rather than at the next round. */
  #claimNew(claims: EngineClaims, id: string): void {
    claims.store.claimDeployments(claims.owner, claims.leaseMs, [id]).then(
      (claimed) => {
        const own = claimed.find((entry) => entry.deployment.id === id);
        if (own !== undefined && !this.#scheduled.has(id)) this.#scheduleFromState(own.deployment);
      },
      // The next round claims it.
      (error: unknown) => {
        this.#onError(error, id);
      },
    );
  }

  async #begin(id: string): Promise<void> {
    // The event of this transition schedules the finish; undefined means it was cancelled.
    await this.#transition(id, "queued", "in_progress");
  }

  async #finish(deployment: Deployment): Promise<void> {
    const reason = this.#failureRule(deployment);
    const to: DeploymentStatus = reason === undefined ? "succeeded" : "failed";
    await this.#transition(deployment.id, "in_progress", to, reason);
  }

  #schedule(id: string, ms: number, step: () => Promise<void>, attempt = 1): void {
    if (this.#unsubscribe === undefined) return;
    this.#cancelTimer(id);
    const handle = this.#timers.setTimeout(() => {
      if (this.#scheduled.get(id) !== handle) return;
      this.#scheduled.delete(id);
      step().catch((error: unknown) => {
        this.#onError(error, id);
        // Retry a failed write a few times (a busy lock clears); then leave the deployment
        // stalled for resumeStalled() (when the store heals) or the next start's recovery,
        // rather than hammering a store that refuses writes.
        if (this.#scheduled.has(id)) return;
        if (attempt < this.#maxAttempts) this.#schedule(id, this.#retryDelayMs, step, attempt + 1);
        else this.#stalled.add(id);
      });
    }, ms);
    this.#scheduled.set(id, handle);
  }

  #cancelTimer(id: string): void {
    const handle = this.#scheduled.get(id);
    if (handle === undefined) return;
    this.#timers.clearTimeout(handle);
    this.#scheduled.delete(id);
  }
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number of milliseconds >= 0, got ${String(value)}`);
  }
  return value;
}
