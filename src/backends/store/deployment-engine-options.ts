import type { Deployment, DeploymentClaimStore, DeploymentStateStore } from "./store.js";

/** The DeploymentEngine's options, defaults and default failure rule. */

/** Decides whether a deployment fails: a reason to fail it, or undefined to let it succeed. */
export type DeploymentFailureRule = (deployment: Deployment) => string | undefined;

/** Timer functions, injectable so tests can drive time; handles are opaque. */
export interface EngineTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers, unref'd: pending deployments never keep a process alive that is shutting down. */
export const UNREF_TIMERS: EngineTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

/** Defaults of the engine's options (expose them as DEPLOY_QUEUED_MS, DEPLOY_RUN_MS, DEPLOY_FAIL_SUFFIX). */
export const DEPLOYMENT_ENGINE_DEFAULTS = {
  queuedMs: 1000,
  runMs: 5000,
  failSuffix: "-bad",
  maxAttempts: 3,
  retryDelayMs: 500,
} as const;

/**
 * The default failure rule: a version whose string ends with `suffix` ("1.2.0-bad") fails. It is
 * a property of the version the caller chose, visible in list_app_versions, so a model can learn
 * why the deployment failed and pick another version. An empty suffix fails nothing.
 */
export function failVersionsEndingWith(
  suffix: string = DEPLOYMENT_ENGINE_DEFAULTS.failSuffix,
): DeploymentFailureRule {
  return (deployment) =>
    suffix !== "" && deployment.version.endsWith(suffix)
      ? `Version ${deployment.version} of ${deployment.app} is a known bad build (its version ends in "${suffix}"); deploy another version.`
      : undefined;
}

/** How the engine runs deployments. */
export interface DeploymentEngineOptions {
  readonly store: DeploymentStateStore;
  /** Time a deployment waits in `queued` before it starts (default 1000). */
  readonly queuedMs?: number;
  /** Time a deployment spends `in_progress` before it succeeds or fails (default 5000). */
  readonly runMs?: number;
  /** Default: failVersionsEndingWith("-bad"). */
  readonly failureRule?: DeploymentFailureRule;
  /** Default UNREF_TIMERS. */
  readonly timers?: EngineTimers;
  /** Milliseconds since the epoch, for estimates (default Date.now). */
  readonly now?: () => number;
  /** Tries per step before the engine leaves a deployment stalled until resumeStalled() or the next start (default 3). */
  readonly maxAttempts?: number;
  /** Wait between tries of a failed step (default 500). */
  readonly retryDelayMs?: number;
  /**
   * Receives failures of the engine's own writes (e.g. SQLITE_READONLY, SQLITE_FULL, a closed
   * store). They must not crash the process from a timer callback; log them.
   */
  readonly onError?: (error: unknown, deploymentId: string) => void;
  /**
   * With a store several replicas share: run only the deployments this engine has claimed, renew
   * the claims every leaseMs / 3, and take over those whose lease passed (see runClaimRound).
   */
  readonly claims?: EngineClaims;
}

/** How an engine claims deployments in a shared store. */
export interface EngineClaims {
  readonly store: DeploymentClaimStore;
  /** This replica's id, unique among the replicas (e.g. host, pid and a random part). */
  readonly owner: string;
  /** How long a claim holds without renewal: the longest a dead replica's deployment waits. */
  readonly leaseMs: number;
}
