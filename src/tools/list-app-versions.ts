import { z } from "zod";
import type { Store } from "../backends/store/store.js";
import { success } from "../errors/handler-result.js";
import { stepTo } from "../errors/recovery-steps.js";
import { RefusalError } from "../domain/refusal.js";
import { phraseRefusal } from "../errors/refusal-wording.js";
import { deployApplicationTarget, listAppVersionsTarget } from "./deployment-inputs.js";
import { listApplicationsStep, type DeploymentBackends } from "./deployment-guidance.js";
import { defineTool } from "./tool-definition.js";

/** list_app_versions: the released versions of one application, newest first. */
export function listAppVersionsTool({ store }: DeploymentBackends) {
  return defineTool({
    ...listAppVersionsTarget,
    title: "List application versions",
    description:
      "Lists the released versions of one application, highest version first, with release notes. Use it to " +
      "choose a version for deploy_application, e.g. after a version not_found error or a failed deployment " +
      "(notes mention known broken builds). Changes nothing. Errors: not_found when the application does not " +
      "exist, with similar_matches and a step to list_applications.",
    annotations: { readOnlyHint: true, openWorldHint: false },
    output: z.object({
      app_name: z.string(),
      latest_version: z
        .string()
        .nullable()
        .describe("What deploy_application deploys when version is omitted; null if there is none"),
      versions: z.array(z.object({ version: z.string(), notes: z.string(), released_at: z.string() })),
    }),
    async handler({ app_name }) {
      const versions = await versionsOrExplain(store, app_name);
      return success(
        {
          app_name,
          latest_version: versions[0]?.version ?? null,
          versions: versions.map(({ version, notes, releasedAt }) => ({
            version,
            notes,
            released_at: releasedAt,
          })),
        },
        {
          next_steps:
            versions.length === 0
              ? []
              : [
                  stepTo(deployApplicationTarget, {
                    action: `Deploy a version of ${app_name}`,
                    parameters: { app_name },
                    fill_in: ["environment"],
                    description:
                      'Use environment "staging" unless the user asked for another. Add version from this list, or omit it for the latest.',
                  }),
                ],
        },
      );
    },
  });
}

async function versionsOrExplain(store: Store, appName: string) {
  try {
    return await store.listAppVersions(appName);
  } catch (error) {
    if (!(error instanceof RefusalError)) throw error;
    const phrased = phraseRefusal(error.refusal, error);
    if (error.refusal.kind !== "unknown_record") throw phrased;
    const closest = phrased.details.similar_matches?.[0];
    throw phrased.with({
      details: {
        recovery_steps: [
          listApplicationsStep,
          ...(closest === undefined
            ? []
            : [
                stepTo(listAppVersionsTarget, {
                  action: `List the versions of ${closest}, the closest application name`,
                  parameters: { app_name: closest },
                }),
              ]),
        ],
      },
    });
  }
}
