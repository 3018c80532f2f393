import type { Deployment, Store } from "../backends/store/store.js";
import { success } from "../errors/handler-result.js";
import { permissionDenied } from "../errors/permission-error.js";
import { RefusalError } from "../domain/refusal.js";
import { instruction, stepTo } from "../errors/recovery-steps.js";
import { phraseRefusal } from "../errors/refusal-wording.js";
import type { ToolError } from "../errors/tool-error.js";
import {
  CANCEL_PERMISSION,
  deploymentData,
  deploymentDataSchema,
  findDeployment,
  nextStepsAfter,
  type DeploymentBackends,
} from "./deployment-guidance.js";
import {
  cancelDeploymentTarget,
  checkDeploymentStatusTarget,
  deployApplicationTarget,
  listAppVersionsTarget,
  waitForDeploymentTarget,
} from "./deployment-inputs.js";
import { defineTool, type Principal } from "./tool-definition.js";

/** cancel_deployment: stops a queued or in_progress deployment. */
export function cancelDeploymentTool({ store, deployments }: DeploymentBackends) {
  return defineTool({
    ...cancelDeploymentTarget,
    title: "Cancel deployment",
    description:
      "Stops a deployment that is still queued or in_progress; it ends with status 'cancelled' and whatever " +
      "it had changed is left part-way. Use it only when the user wants to stop or replace that deployment " +
      "(e.g. after a deployment_in_progress conflict); otherwise prefer wait_for_deployment. Needs the " +
      "deploy.cancel permission. Errors: not_found for an unknown deployment_id (similar_matches from recent " +
      "deployments); conflict with reason 'deployment_finished' when it has already finished (do not retry: " +
      "recovery_steps show how to deploy another version instead); permission_denied (ask the user).",
    annotations: {
      readOnlyHint: false,
      destructiveHint: true,
      // Cancelling again changes nothing more (the second call reports that it has finished).
      idempotentHint: true,
      openWorldHint: false,
    },
    output: deploymentDataSchema,
    async handler({ deployment_id }, ctx) {
      requireCancelPermission(ctx.principal, deployment_id);
      const before = await findDeployment(store, deployment_id, cancelDeploymentTarget);
      const cancelled = await cancelOrExplain(store, before);
      return success(deploymentData(cancelled, deployments), {
        next_steps: nextStepsAfter(cancelled, deployments),
      });
    },
  });
}

function requireCancelPermission(principal: Principal, deploymentId: string): void {
  if (principal.permissions.has(CANCEL_PERMISSION)) return;
  throw permissionDenied({
    action: "cancel",
    resource: `deployment ${deploymentId}`,
    required_permission: CANCEL_PERMISSION,
    recovery_steps: [
      instruction(`Ask the user to grant '${CANCEL_PERMISSION}'`),
      stepTo(waitForDeploymentTarget, {
        action: "Or let the deployment finish",
        parameters: { deployment_id: deploymentId },
      }),
    ],
  });
}

/** Cancels; a deployment that has finished (before or during the call) gets steps that recover. */
async function cancelOrExplain(store: Store, before: Deployment): Promise<Deployment> {
  try {
    return await store.cancelDeployment(before.id);
  } catch (error) {
    if (!(error instanceof RefusalError)) throw error;
    const phrased = phraseRefusal(error.refusal, error);
    if (error.refusal.kind !== "deployment_finished") throw phrased;
    throw alreadyFinished((await store.getDeployment(before.id)) ?? before, phrased);
  }
}

/** Retrying cannot help (the domain says so); these steps change what runs instead. */
function alreadyFinished(deployment: Deployment, error: ToolError): ToolError {
  const { id, app, environment, version } = deployment;
  return error.with({
    suggestion: `Nothing to cancel and retrying will not help. To replace ${app} ${version} in ${environment}, deploy another version.`,
    details: {
      reason: "deployment_finished",
      recovery_steps: [
        stepTo(checkDeploymentStatusTarget, {
          action: "See how the deployment ended",
          parameters: { deployment_id: id },
        }),
        stepTo(listAppVersionsTarget, {
          action: `List the versions of ${app}`,
          parameters: { app_name: app },
          description: `To change what runs in ${environment}, deploy another version (e.g. the one before ${version}).`,
        }),
        stepTo(deployApplicationTarget, {
          action: `Deploy another version of ${app} to ${environment}`,
          parameters: { app_name: app, environment },
          fill_in: ["version"],
        }),
      ],
    },
  });
}
