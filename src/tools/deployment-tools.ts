import { cancelDeploymentTool } from "./cancel-deployment.js";
import { checkDeploymentStatusTool } from "./check-deployment-status.js";
import { deployApplicationTool } from "./deploy-application.js";
import { listAppVersionsTool } from "./list-app-versions.js";
import { listApplicationsTool } from "./list-applications.js";
import { listDeploymentsTool } from "./list-deployments.js";
import type { ToolBackends } from "./tool-backends.js";
import type { AnyToolDefinition } from "./tool-definition.js";
import { waitForDeploymentTool } from "./wait-for-deployment.js";

/**
 * The deployment tools (recovery steps, docs/patterns.md), in the order a model meets them:
 * discover, deploy, follow, cancel, look back. Their recovery steps name only each other.
 */
export function createDeploymentTools(backends: ToolBackends): AnyToolDefinition[] {
  return [
    listApplicationsTool(backends),
    listAppVersionsTool(backends),
    deployApplicationTool(backends),
    checkDeploymentStatusTool(backends),
    waitForDeploymentTool(backends),
    cancelDeploymentTool(backends),
    listDeploymentsTool(backends),
  ];
}
