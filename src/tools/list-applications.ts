import { z } from "zod";
import { success } from "../errors/handler-result.js";
import { stepTo } from "../errors/recovery-steps.js";
import { listApplicationsTarget, listAppVersionsTarget } from "./deployment-inputs.js";
import type { DeploymentBackends } from "./deployment-guidance.js";
import { defineTool } from "./tool-definition.js";

/** list_applications: every application that can be deployed, with its latest version. */
export function listApplicationsTool({ store }: DeploymentBackends) {
  return defineTool({
    ...listApplicationsTarget,
    title: "List applications",
    description:
      "Lists every application that can be deployed, with its description and latest version. Use it to " +
      "find the exact app_name for deploy_application or list_app_versions, e.g. after a not_found error. " +
      "Takes no arguments and changes nothing.",
    annotations: { readOnlyHint: true, openWorldHint: false },
    output: z.object({
      applications: z.array(
        z.object({
          name: z.string(),
          description: z.string(),
          latest_version: z.string().nullable().describe("null when it has no version to deploy yet"),
        }),
      ),
      count: z.number().int().min(0),
    }),
    async handler() {
      const applications = await store.listApplications();
      return success(
        {
          applications: applications.map(({ name, description, latestVersion }) => ({
            name,
            description,
            latest_version: latestVersion,
          })),
          count: applications.length,
        },
        {
          next_steps:
            applications.length === 0
              ? []
              : [
                  stepTo(listAppVersionsTarget, {
                    action: "See the versions of one application",
                    parameters: {},
                    fill_in: ["app_name"],
                    description: "Or deploy its latest version directly with deploy_application.",
                  }),
                ],
        },
      );
    },
  });
}
