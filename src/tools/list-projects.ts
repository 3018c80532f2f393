import { z } from "zod";
import type { Project, Store } from "../backends/store/store.js";
import { success } from "../errors/handler-result.js";
import { encodeCursor, nextPageStep, pageFields, pageOf, readCursor } from "./list-pages.js";
import { listProjectsTarget } from "./listing-inputs.js";
import { givenFilters, matchesQuery } from "./list-query.js";
import { defineTool } from "./tool-definition.js";

const keyOf = (project: Project) => project.name;

/** list_projects: projects page by page, filtered by status or text; what manage_project points to. */
export function listProjectsTool(store: Store) {
  return defineTool({
    ...listProjectsTarget,
    title: "List projects",
    description:
      "Lists projects (name, status, settings) by name, page by page. Filter by status (active projects can " +
      "be changed; archived ones are read-only) or by text in the name (query). Use it to find a project_name " +
      "for manage_project. When next_cursor is not null, call again with it (and the same filters) for the " +
      "next page. Changes nothing.",
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    output: z.object({
      projects: z.array(
        z.object({
          name: z.string(),
          status: z.enum(["active", "archived"]),
          settings: z.record(z.string(), z.unknown()),
          updated_at: z.string(),
        }),
      ),
      ...pageFields,
    }),
    async handler({ status, query, limit, cursor }) {
      const filters = { status, query };
      const start = readCursor(listProjectsTarget, filters, cursor, givenFilters(filters));
      const matching = (await store.listProjects()).filter(
        (project) =>
          (status === undefined || project.status === status) && matchesQuery(query, [project.name]),
      );
      const { records, lastKey } = pageOf(matching, keyOf, start, limit);
      const next = lastKey === undefined ? null : encodeCursor(listProjectsTarget.name, filters, lastKey);
      return success(
        {
          projects: records.map((project) => ({
            name: project.name,
            status: project.status,
            settings: project.settings,
            updated_at: project.updatedAt,
          })),
          count: records.length,
          next_cursor: next,
        },
        {
          next_steps:
            next === null
              ? []
              : [
                  nextPageStep(
                    listProjectsTarget,
                    { ...givenFilters(filters), limit, cursor: next },
                    "projects",
                  ),
                ],
        },
      );
    },
  });
}
