import { createDeploymentTools } from "./deployment-tools.js";
import { getItemTool } from "./get-item.js";
import { getUserTool } from "./get-user.js";
import { importRecordsTool } from "./import-records.js";
import { listItemsTool } from "./list-items.js";
import { listProjectsTool } from "./list-projects.js";
import { listUsersTool } from "./list-users.js";
import { manageProjectTool } from "./manage-project.js";
import { createNetworkTools } from "./network-tools.js";
import { processFilesTool } from "./process-files.js";
import { searchFilesTool } from "./search-files.js";
import type { ToolBackends } from "./tool-backends.js";
import type { AnyToolDefinition } from "./tool-definition.js";

/** Every tool the product serves, in the order tools/list shows them. */
export function createProductToolDefinitions(backends: ToolBackends): AnyToolDefinition[] {
  return [
    getUserTool(backends.store),
    listUsersTool(backends.store),
    getItemTool(backends.store),
    listItemsTool(backends.store),
    searchFilesTool(backends.workspace),
    processFilesTool(backends.workspace),
    manageProjectTool(backends.store),
    listProjectsTool(backends.store),
    ...createNetworkTools(backends),
    ...createDeploymentTools(backends),
    importRecordsTool(backends.store),
  ] as AnyToolDefinition[];
}
