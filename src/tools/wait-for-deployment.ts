import { z } from "zod";
import type { DeploymentEngine } from "../backends/store/deployment-engine.js";
import type { Deployment } from "../backends/store/store.js";
import { isTerminalDeploymentStatus, type DeploymentStatus } from "../domain/deployments.js";
import { success } from "../errors/handler-result.js";
import {
  aboutSeconds,
  deploymentData,
  deploymentDataSchema,
  findDeployment,
  nextStepsAfter,
  type DeploymentBackends,
} from "./deployment-guidance.js";
import { waitForDeploymentTarget } from "./deployment-inputs.js";
import { defineTool, type ToolContext } from "./tool-definition.js";

/**
 * The time budget of one wait. Under the MCP SDK client's default request timeout (60 s), so a
 * client that never raised it still receives our answer rather than its own timeout error.
 */
export const WAIT_FOR_DEPLOYMENT_TIMEOUT_MS = 55_000;

// The answer is given this long before the runner's deadline, so it is ours: the current status
// and a step to wait again, not a timeout error.
const MAX_ANSWER_MARGIN_MS = 1_000;

const PROGRESS: { readonly [S in DeploymentStatus]: number } = {
  queued: 0,
  in_progress: 50,
  succeeded: 100,
  failed: 100,
  cancelled: 100,
  interrupted: 100,
};

/** Options of wait_for_deployment; tests shorten the budget. */
export interface WaitForDeploymentToolOptions {
  readonly timeoutMs?: number;
}

/** wait_for_deployment: blocks until a deployment finishes, streaming progress as its status changes. */
export function waitForDeploymentTool(
  { store, deployments }: DeploymentBackends,
  options: WaitForDeploymentToolOptions = {},
) {
  const timeoutMs = options.timeoutMs ?? WAIT_FOR_DEPLOYMENT_TIMEOUT_MS;
  const margin = Math.min(MAX_ANSWER_MARGIN_MS, timeoutMs / 10);
  return defineTool({
    ...waitForDeploymentTarget,
    title: "Wait for deployment",
    description:
      "Waits until a deployment finishes (succeeded, failed, cancelled or interrupted) and returns its final " +
      "status, sending progress notifications as it moves (0 queued, 50 in_progress, 100 finished). Use it " +
      `after deploy_application. It waits at most about ${Math.round(timeoutMs / 1000)} seconds: if the ` +
      "deployment is still running then, it returns success with finished=false and a next step to wait " +
      "again. Cancelling this call stops only the waiting; the deployment goes on. After a failure, " +
      "next_steps lead to deploying another version. Errors: not_found for an unknown deployment_id, with " +
      "similar_matches from recent deployments.",
    annotations: { readOnlyHint: true, openWorldHint: false },
    timeoutMs,
    waitsOutside: true,
    output: deploymentDataSchema.extend({
      waited_seconds: z.number().min(0),
    }),
    async handler({ deployment_id }, ctx) {
      const started = ctx.now();
      await findDeployment(store, deployment_id, waitForDeploymentTarget);
      const patience = new AbortController();
      const timer = setTimeout(
        () => {
          patience.abort(new DOMException("The wait used its time budget", "TimeoutError"));
        },
        Math.max(0, ctx.deadline - ctx.now() - margin),
      );
      let deployment: Deployment;
      try {
        deployment = await store.waitForDeployment(deployment_id, {
          signal: AbortSignal.any([ctx.signal, patience.signal]),
          // The final 100 is sent below and awaited, so it reaches the client before the result.
          onChange: (changed) => {
            if (!isTerminalDeploymentStatus(changed.status)) void report(ctx, changed, deployments);
          },
        });
        await report(ctx, deployment, deployments);
      } catch (error) {
        // Only our own budget ending is an answer; cancellation and the runner's deadline are not.
        if (!patience.signal.aborted || ctx.signal.aborted) throw error;
        deployment = await findDeployment(store, deployment_id, waitForDeploymentTarget);
      } finally {
        clearTimeout(timer);
      }
      return success(
        {
          ...deploymentData(deployment, deployments),
          waited_seconds: Math.round((ctx.now() - started) / 100) / 10,
        },
        { next_steps: nextStepsAfter(deployment, deployments) },
      );
    },
  });
}

function report(ctx: ToolContext, deployment: Deployment, engine: DeploymentEngine): Promise<void> {
  return ctx.reportProgress(PROGRESS[deployment.status], 100, progressMessage(deployment, engine));
}

function progressMessage(deployment: Deployment, engine: DeploymentEngine): string {
  const what = `Deployment ${deployment.id} (${deployment.app} ${deployment.version} to ${deployment.environment})`;
  if (!isTerminalDeploymentStatus(deployment.status)) {
    return `${what} is ${deployment.status}; ${aboutSeconds(engine.estimateRemainingMs(deployment))} left`;
  }
  return deployment.reason === null
    ? `${what} ${deployment.status}`
    : `${what} ${deployment.status}: ${deployment.reason}`;
}
