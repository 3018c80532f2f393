import { z } from "zod";
import type { Project, Store } from "../backends/store/store.js";
import type { JsonObject } from "../domain/records.js";
import { RefusalError } from "../domain/refusal.js";
import { alreadyExists } from "../errors/conflict-error.js";
import { success } from "../errors/handler-result.js";
import { notFound } from "../errors/not-found.js";
import { requirePermission } from "../errors/permission-error.js";
import { stepTo, type ToolStep } from "../errors/recovery-steps.js";
import { phraseRefusal } from "../errors/refusal-wording.js";
import { findSimilar } from "../errors/similar-matches.js";
import { depthLimited, MAX_JSON_DEPTH } from "./json-depth.js";
import { listProjectsTarget } from "./listing-inputs.js";
import { defineTool } from "./tool-definition.js";
import { confirmWithUser } from "./user-confirmation.js";

const ACTIONS = ["create", "update", "delete", "archive"] as const;
type ProjectAction = (typeof ACTIONS)[number];

const jsonValue: z.ZodType = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(jsonValue),
    z.record(z.string(), jsonValue),
  ]),
);

// Kept apart from the tool so its own recovery steps can target it without a circular type.
const manageProjectInput = z.object({
  action: z.enum(ACTIONS).describe("create, update, delete or archive"),
  project_name: z
    .string()
    .trim()
    .min(1, { error: "project_name must not be empty" })
    .max(100)
    .describe('The project name, e.g. "website-redesign"'),
  settings: depthLimited(z.record(z.string(), jsonValue), "settings")
    .optional()
    .describe(
      `Settings to store (create) or merge (update; a null value removes a key), nested at most ${MAX_JSON_DEPTH} levels, e.g. {"owner": "alice"}`,
    ),
});
const self = { name: "manage_project", input: manageProjectInput };

const projectData = z.object({
  action: z.enum(ACTIONS),
  project: z.object({
    name: z.string(),
    status: z.string(),
    settings: z.record(z.string(), z.unknown()),
    created_at: z.string(),
    updated_at: z.string(),
    archived_at: z.string().nullable(),
  }),
});

function describe(project: Project) {
  return {
    name: project.name,
    status: project.status,
    settings: project.settings,
    created_at: project.createdAt,
    updated_at: project.updatedAt,
    archived_at: project.archivedAt,
  };
}

/** manage_project: project changes with context-aware errors for every way they fail (docs/patterns.md). */
export function manageProjectTool(store: Store) {
  return defineTool({
    name: "manage_project",
    title: "Manage project",
    description:
      "Creates, updates, deletes or archives a project. Each action needs a permission of the caller " +
      "(project.create, project.update, project.delete, project.archive). Errors: validation_error for an unknown " +
      "action (examples list the valid ones); not_found when updating, deleting or archiving a project that does " +
      "not exist (similar_matches offers close names); already_exists when creating a name that exists (update it " +
      "instead, or pick another name); permission_denied naming the missing permission (ask the user for it; " +
      "retrying will not help); conflict when updating an archived project (archived projects stay read-only: " +
      "retrying will not help; create a new project instead). Delete first asks the user to confirm (when " +
      "the client supports elicitation); a no is a cancelled error: nothing was deleted.",
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    input: manageProjectInput,
    output: projectData,
    async handler({ action, project_name, settings }, ctx) {
      requirePermission(ctx.principal, `project.${action}`, { action, resource: `project/${project_name}` });
      const existing = await store.getProject(project_name);
      if (action === "create") {
        if (existing !== undefined) throw projectExists(project_name, settings);
        const created = await store.createProject(project_name, (settings ?? {}) as JsonObject);
        return success({ action, project: describe(created) });
      }
      if (existing === undefined) throw await projectMissing(store, action, project_name, settings);
      if (action === "delete") {
        await confirmWithUser(ctx, {
          key: "confirm_project_delete",
          message: `Delete the project "${project_name}"? It cannot be undone.`,
          action: `delete the project "${project_name}"`,
          nothingDone: "Nothing was deleted.",
        });
      }
      const changed = await applyOrExplain(store, action, project_name, settings);
      return success({ action, project: describe(changed) });
    },
  });
}

/** Applies the change; an archived project's refusal gets steps towards a project that can change. */
async function applyOrExplain(
  store: Store,
  action: Exclude<ProjectAction, "create">,
  name: string,
  settings: Record<string, unknown> | undefined,
): Promise<Project> {
  try {
    return await apply(store, action, name, settings);
  } catch (error) {
    if (!(error instanceof RefusalError)) throw error;
    const phrased = phraseRefusal(error.refusal, error);
    if (error.refusal.kind !== "project_archived") throw phrased;
    throw phrased.with({
      details: {
        recovery_steps: [
          stepTo(self, {
            action: "Create a new project with these settings, if the user agrees",
            parameters: { action: "create", ...(settings ? { settings } : {}) },
            fill_in: ["project_name"],
            description: `A new name: '${name}' stays archived.`,
          }),
          stepTo(listProjectsTarget, {
            action: "Or find an active project to change instead",
            parameters: { status: "active" },
          }),
        ],
      },
    });
  }
}

function apply(store: Store, action: Exclude<ProjectAction, "create">, name: string, settings?: object) {
  switch (action) {
    case "update":
      return store.updateProject(name, (settings ?? {}) as JsonObject);
    case "delete":
      return store.deleteProject(name);
    case "archive":
      return store.archiveProject(name);
  }
}

function projectExists(name: string, settings: Record<string, unknown> | undefined) {
  return alreadyExists({
    resource_type: "project",
    identifier: name,
    suggestion: "Use the 'update' action to modify the existing project, or choose a different name.",
    recovery_steps: [
      stepTo(self, {
        action: "Update the existing project instead",
        parameters: { action: "update", project_name: name, ...(settings ? { settings } : {}) },
      }),
    ],
  });
}

async function projectMissing(
  store: Store,
  action: Exclude<ProjectAction, "create">,
  name: string,
  settings: Record<string, unknown> | undefined,
) {
  const names = (await store.listProjects()).map((project) => project.name);
  const [closest] = findSimilar(name, names);
  const given = settings ? { settings } : {};
  const steps: ToolStep[] = [
    ...(closest === undefined
      ? []
      : [
          stepTo(self, {
            action: `Retry with the closest existing project, '${closest}'`,
            parameters: { action, project_name: closest, ...given },
          }),
        ]),
    stepTo(listProjectsTarget, {
      action: closest === undefined ? "List the projects to find the right name" : "Or list the projects",
      // Only active projects can be updated or archived; any can be deleted.
      parameters: action === "delete" ? {} : { status: "active" },
    }),
    // Creating is an answer to a missing project only when the user wanted to change its settings.
    ...(action === "update" && closest === undefined
      ? [
          stepTo(self, {
            action: "Or create the project, if the user meant a new one",
            parameters: { action: "create", project_name: name, ...given },
          }),
        ]
      : []),
  ];
  return notFound({ resource_type: "project", identifier: name, candidates: names, recovery_steps: steps });
}
