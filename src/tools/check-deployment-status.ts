import { success } from "../errors/handler-result.js";
import {
  deploymentData,
  deploymentDataSchema,
  findDeployment,
  nextStepsAfter,
  type DeploymentBackends,
} from "./deployment-guidance.js";
import { checkDeploymentStatusTarget } from "./deployment-inputs.js";
import { defineTool } from "./tool-definition.js";

/** check_deployment_status: where a deployment is now, without waiting. */
export function checkDeploymentStatusTool({ store, deployments }: DeploymentBackends) {
  return defineTool({
    ...checkDeploymentStatusTarget,
    title: "Check deployment status",
    description:
      "Returns a deployment's current status at once: queued or in_progress (still running; " +
      "estimated_seconds_remaining says for how long), succeeded, failed (reason says why), cancelled or " +
      "interrupted (the server stopped mid-way). Changes nothing. To block until it finishes, use " +
      "wait_for_deployment instead. next_steps says what to do in each status (e.g. after a failure: list " +
      "versions and deploy another). Errors: not_found for an unknown deployment_id, with similar_matches " +
      "from recent deployments.",
    annotations: { readOnlyHint: true, openWorldHint: false },
    output: deploymentDataSchema,
    async handler({ deployment_id }) {
      const deployment = await findDeployment(store, deployment_id, checkDeploymentStatusTarget);
      return success(deploymentData(deployment, deployments), {
        next_steps: nextStepsAfter(deployment, deployments),
      });
    },
  });
}
