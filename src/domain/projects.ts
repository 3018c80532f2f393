import type { DomainRefusal } from "./refusal.js";

/** Project lifecycle: archived projects are read-only. */
export type ProjectStatus = "active" | "archived";

/** Settings may change only while the project is active; archiving is for good. */
export function refuseUpdate(project: { readonly name: string; readonly status: ProjectStatus }) {
  return project.status === "archived"
    ? ({ kind: "project_archived", project: project.name } as const satisfies DomainRefusal)
    : undefined;
}
