import { z } from "zod";
import type { DeploymentEngine } from "../backends/store/deployment-engine.js";
import type { Deployment, Store } from "../backends/store/store.js";
import {
  DEPLOYMENT_STATUSES,
  ENVIRONMENTS,
  isTerminalDeploymentStatus,
  type Environment,
} from "../domain/deployments.js";
import { notFound } from "../errors/not-found.js";
import { stepTo, type ToolStep } from "../errors/recovery-steps.js";
import { findSimilar } from "../errors/similar-matches.js";
import type { ToolError } from "../errors/tool-error.js";
import {
  deployApplicationTarget,
  listApplicationsTarget,
  listAppVersionsTarget,
  waitForDeploymentTarget,
  type DeploymentIdTarget,
} from "./deployment-inputs.js";
import { listDeploymentsTarget } from "./listing-inputs.js";
import type { ToolBackends } from "./tool-backends.js";

/*
 * What the deployment tools share: how a deployment is shown, what to do next in each status, and
 * the "deployment not found" error. One wording everywhere, so a model learns it once.
 */

/** The first step after an unknown application name: see which applications exist. */
export const listApplicationsStep: ToolStep = stepTo(listApplicationsTarget, {
  action: "List available applications",
  parameters: {},
  description: "Find the correct app name",
});

/** What the deployment tools use of the backends (tests can build just these). */
export type DeploymentBackends = Pick<ToolBackends, "store" | "deployments">;

/** The permission cancel_deployment requires; deploy_application offers a cancel step only with it. */
export const CANCEL_PERMISSION = "deploy.cancel";

/** The permission deploying to `environment` requires, e.g. "deploy.production". */
export function deployPermission(environment: Environment): string {
  return `deploy.${environment}`;
}

/** How many recent deployments a not_found error searches for similar ids. */
const RECENT_DEPLOYMENTS = 50;

/** A deployment as the tools return it (`{deployment_id, status, …}`). */
export const deploymentDataSchema = z.object({
  deployment_id: z.string(),
  app_name: z.string(),
  environment: z.enum(ENVIRONMENTS),
  version: z.string(),
  status: z.enum(DEPLOYMENT_STATUSES),
  finished: z.boolean().describe("True once the status can no longer change"),
  reason: z.string().nullable().describe("Why it failed, was cancelled or was interrupted; null otherwise"),
  estimated_seconds_remaining: z.number().int().min(0),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});

/** The data of deploymentDataSchema. */
export type DeploymentData = z.infer<typeof deploymentDataSchema>;

/** Shows a deployment, with the engine's estimate of the time it still needs. */
export function deploymentData(deployment: Deployment, engine: DeploymentEngine): DeploymentData {
  return {
    deployment_id: deployment.id,
    app_name: deployment.app,
    environment: deployment.environment,
    version: deployment.version,
    status: deployment.status,
    finished: isTerminalDeploymentStatus(deployment.status),
    reason: deployment.reason,
    estimated_seconds_remaining: wholeSeconds(engine.estimateRemainingMs(deployment)),
    created_at: deployment.createdAt,
    started_at: deployment.startedAt,
    finished_at: deployment.finishedAt,
  };
}

/** Milliseconds as whole seconds, rounded up: "0 seconds left" must mean it is done. */
export function wholeSeconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}

/** "about 6 seconds", for messages and estimated_duration. */
export function aboutSeconds(ms: number): string {
  const seconds = Math.max(1, wholeSeconds(ms));
  return `about ${seconds} second${seconds === 1 ? "" : "s"}`;
}

/**
 * What to do after seeing a deployment in its current status: wait while it runs; nothing once it
 * succeeded; pick another version after a failure; start it again after a cancel or interruption.
 */
export function nextStepsAfter(deployment: Deployment, engine: DeploymentEngine): ToolStep[] {
  const { id, app, environment, version } = deployment;
  switch (deployment.status) {
    case "queued":
    case "in_progress":
      return [
        stepTo(waitForDeploymentTarget, {
          action: "Wait for the deployment to finish",
          parameters: { deployment_id: id },
          description: `It should take ${aboutSeconds(engine.estimateRemainingMs(deployment))} more.`,
        }),
      ];
    case "succeeded":
      return [];
    case "failed":
      return [
        stepTo(listAppVersionsTarget, {
          action: `List the versions of ${app}`,
          parameters: { app_name: app },
          description: `Choose a version other than ${version}, which failed.`,
        }),
        stepTo(deployApplicationTarget, {
          action: `Deploy another version of ${app} to ${environment}`,
          parameters: { app_name: app, environment },
          fill_in: ["version"],
          description: `Any version from list_app_versions except ${version}.`,
        }),
      ];
    case "cancelled":
    case "interrupted":
      return [
        stepTo(deployApplicationTarget, {
          action: `Deploy ${app} ${version} to ${environment} again, if it is still wanted`,
          parameters: { app_name: app, environment, version },
        }),
      ];
  }
}

/**
 * The deployment, or a not_found error offering the closest recent ids, a step that calls the
 * same tool with the closest one, and list_deployments to find the right id.
 */
export async function findDeployment(
  store: Store,
  id: string,
  retryWith: DeploymentIdTarget,
): Promise<Deployment> {
  const deployment = await store.getDeployment(id);
  if (deployment !== undefined) return deployment;
  throw await deploymentNotFound(store, id, retryWith);
}

async function deploymentNotFound(
  store: Store,
  id: string,
  retryWith: DeploymentIdTarget,
): Promise<ToolError> {
  const candidates = (await store.listDeployments({ limit: RECENT_DEPLOYMENTS })).map(({ id }) => id);
  const [closest] = findSimilar(id, candidates);
  const steps: ToolStep[] = [
    ...(closest === undefined
      ? []
      : [
          stepTo(retryWith, {
            action: `Call ${retryWith.name} with ${closest}, the closest existing deployment id`,
            parameters: { deployment_id: closest },
          }),
        ]),
    stepTo(listDeploymentsTarget, {
      action: closest === undefined ? "List the deployments to find the right id" : "Or list the deployments",
      parameters: {},
      description: "Newest first; filter by app_name, environment or status to narrow it.",
    }),
  ];
  return notFound({
    resource_type: "deployment",
    identifier: id,
    candidates,
    ...(closest === undefined
      ? {
          suggestion:
            'Deployment ids look like "dep_0mh2k9x1c4f7a2b9": use the exact id deploy_application returned, or find it with list_deployments.',
        }
      : {}),
    recovery_steps: steps,
  });
}
