/**
 * The rules of deployments, whatever store keeps them: where an application can go, the status
 * machine, and what a start or a cancel must refuse. Stores enforce these; tools phrase the
 * refusals (see refusal.ts).
 */

import type { DomainRefusal } from "./refusal.js";
import { sortVersionsDescending } from "./semver.js";

/** Environments an application can be deployed to. */
export const ENVIRONMENTS = ["development", "staging", "production"] as const;

/** A deployment environment. */
export type Environment = (typeof ENVIRONMENTS)[number];

/** Every deployment status, in lifecycle order. */
export const DEPLOYMENT_STATUSES = [
  "queued",
  "in_progress",
  "succeeded",
  "failed",
  "cancelled",
  "interrupted",
] as const;

/** Where a deployment is in its lifecycle. */
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/** Statuses that hold the app+environment slot; at most one deployment per slot has one. */
export const ACTIVE_DEPLOYMENT_STATUSES = [
  "queued",
  "in_progress",
] as const satisfies readonly DeploymentStatus[];

/**
 * The state machine: which status may follow which. Terminal statuses have no successor. The
 * SQLite store enforces the same table with a trigger, so no writer can skip it.
 */
export const DEPLOYMENT_TRANSITIONS: { readonly [S in DeploymentStatus]: readonly DeploymentStatus[] } = {
  queued: ["in_progress", "cancelled", "interrupted"],
  in_progress: ["succeeded", "failed", "cancelled", "interrupted"],
  succeeded: [],
  failed: [],
  cancelled: [],
  interrupted: [],
};

/** True for the environments a deployment can target. */
export function isEnvironment(value: string): value is Environment {
  return (ENVIRONMENTS as readonly string[]).includes(value);
}

/** True if `status` still holds its app+environment slot (queued or in_progress). */
export function isActiveDeploymentStatus(status: DeploymentStatus): boolean {
  return (ACTIVE_DEPLOYMENT_STATUSES as readonly DeploymentStatus[]).includes(status);
}

/** True if `status` is final: the deployment will never change again. */
export function isTerminalDeploymentStatus(status: DeploymentStatus): boolean {
  return DEPLOYMENT_TRANSITIONS[status].length === 0;
}

/** What the rules need to know of a deployment. */
export interface DeploymentSlot {
  readonly id: string;
  readonly app: string;
  readonly environment: Environment;
  readonly version: string;
  readonly status: DeploymentStatus;
}

/** The refusal of an environment outside ENVIRONMENTS, if it is one. */
export function refuseEnvironment(environment: string): DomainRefusal | undefined {
  if (isEnvironment(environment)) return undefined;
  return {
    kind: "invalid_value",
    field: "environment",
    received: environment,
    expected: `one of: ${ENVIRONMENTS.join(", ")}`,
    examples: [...ENVIRONMENTS],
  };
}

/**
 * The version a start deploys: the requested one if the application has it, else the highest
 * by semver when none was requested; or the refusal saying why neither works.
 */
export function chooseVersion(
  app: string,
  available: readonly string[],
  requested: string | undefined,
): { readonly version: string } | { readonly refusal: DomainRefusal } {
  const ordered = sortVersionsDescending(available);
  const [latest] = ordered;
  if (requested === undefined) {
    return latest === undefined ? { refusal: { kind: "no_versions", app } } : { version: latest };
  }
  if (ordered.includes(requested)) return { version: requested };
  return { refusal: { kind: "unknown_version", app, version: requested, available: ordered } };
}

/** A start is refused while another deployment holds the app+environment slot. */
export function refuseStart(active: DeploymentSlot | undefined): DomainRefusal | undefined {
  return active === undefined ? undefined : { kind: "deployment_in_progress", active: slotOf(active) };
}

/** Only a queued or in_progress deployment can be cancelled. */
export function refuseCancel(deployment: DeploymentSlot): DomainRefusal | undefined {
  if (isActiveDeploymentStatus(deployment.status)) return undefined;
  return { kind: "deployment_finished", deployment: slotOf(deployment) };
}

// Refusals carry plain data, never a store's row object.
function slotOf({ id, app, environment, version, status }: DeploymentSlot): DeploymentSlot {
  return { id, app, environment, version, status };
}
