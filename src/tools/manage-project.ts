import { z } from "zod";
import type { JsonObject, Project, Store } from "../backends/store/store.js";
import { alreadyExists } from "../errors/conflict-error.js";
import { success } from "../errors/handler-result.js";
import { notFound } from "../errors/not-found.js";
import { requirePermission } from "../errors/permission-error.js";
import { stepTo } from "../errors/recovery-steps.js";
import { findSimilar } from "../errors/similar-matches.js";
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
  settings: z
    .record(z.string(), jsonValue)
    .optional()
    .describe(
      'Settings to store (create) or merge (update; a null value removes a key), e.g. {"owner": "alice"}',
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

/** manage_project (Pattern 4): project changes with context-aware errors for every way they fail. */
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
      "retrying will not help); conflict when updating an archived project. Delete first asks the user to " +
      "confirm (when the client supports elicitation); a no is a cancelled error: nothing was deleted.",
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
      const changed = await apply(store, action, project_name, settings);
      return success({ action, project: describe(changed) });
    },
  });
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
  action: ProjectAction,
  name: string,
  settings: Record<string, unknown> | undefined,
) {
  const names = (await store.listProjects()).map((project) => project.name);
  const [closest] = findSimilar(name, names);
  return notFound({
    resource_type: "project",
    identifier: name,
    candidates: names,
    recovery_steps:
      closest === undefined
        ? [
            stepTo(self, {
              action: "Create the project first",
              parameters: { action: "create", project_name: name, ...(settings ? { settings } : {}) },
            }),
          ]
        : [
            stepTo(self, {
              action: `Retry with the closest existing project, '${closest}'`,
              parameters: { action, project_name: closest, ...(settings ? { settings } : {}) },
            }),
          ],
  });
}
