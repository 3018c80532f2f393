import { z } from "zod";
import type { Deployment } from "../backends/store/store.js";
import { success } from "../errors/handler-result.js";
import { deploymentData, deploymentDataSchema, type DeploymentBackends } from "./deployment-guidance.js";
import { encodeCursor, nextPageStep, pageFields, readCursor } from "./list-pages.js";
import { givenFilters } from "./list-query.js";
import { listDeploymentsTarget } from "./listing-inputs.js";
import { defineTool } from "./tool-definition.js";

// Newest first, as the store lists them; the key is where the next page continues.
const keyOf = (deployment: Deployment) => `${deployment.createdAt}|${deployment.id}`;

/**
 * list_deployments: past and running deployments, newest first, page by page; what an unknown
 * deployment id points to. Pages come from the store (deployments only grow), not from memory.
 */
export function listDeploymentsTool({ store, deployments }: DeploymentBackends) {
  return defineTool({
    ...listDeploymentsTarget,
    title: "List deployments",
    description:
      "Lists deployments, newest first, page by page, with their deployment_id, application, environment, " +
      "version and status. Filter by app_name, environment or status (e.g. status in_progress to see what " +
      "runs now). Use it to find a deployment_id for check_deployment_status, wait_for_deployment or " +
      "cancel_deployment. When next_cursor is not null, call again with it (and the same filters) for the " +
      "next page. Changes nothing.",
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    output: z.object({ deployments: z.array(deploymentDataSchema), ...pageFields }),
    async handler({ app_name, environment, status, limit, cursor }) {
      const filters = { app_name, environment, status };
      const { afterKey } = readCursor(listDeploymentsTarget, filters, cursor, givenFilters(filters));
      const after = afterKey === undefined ? undefined : splitKey(afterKey);
      // One more than the page, to know whether another page follows.
      const found = await store.listDeployments({
        ...(app_name === undefined ? {} : { app: app_name }),
        ...(environment === undefined ? {} : { environment }),
        ...(status === undefined ? {} : { status }),
        ...(after === undefined ? {} : { after }),
        limit: limit + 1,
      });
      const page = found.slice(0, limit);
      const last = page.at(-1);
      const next =
        found.length > limit && last !== undefined
          ? encodeCursor(listDeploymentsTarget.name, filters, keyOf(last))
          : null;
      return success(
        {
          deployments: page.map((deployment) => deploymentData(deployment, deployments)),
          count: page.length,
          next_cursor: next,
        },
        {
          next_steps:
            next === null
              ? []
              : [
                  nextPageStep(
                    listDeploymentsTarget,
                    { ...givenFilters(filters), limit, cursor: next },
                    "deployments",
                  ),
                ],
        },
      );
    },
  });
}

function splitKey(key: string): { createdAt: string; id: string } | undefined {
  const bar = key.indexOf("|");
  return bar < 0 ? undefined : { createdAt: key.slice(0, bar), id: key.slice(bar + 1) };
}
