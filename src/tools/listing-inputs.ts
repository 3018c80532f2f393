import { z } from "zod";
import { DEPLOYMENT_STATUSES, ENVIRONMENTS } from "../domain/deployments.js";
import { USER_ROLES } from "../domain/records.js";
import { pageArguments } from "./list-pages.js";

/*
 * The listing tools' names and argument schemas, apart from the tools so that any tool's
 * recovery steps can point at a listing (typed by stepTo) without importing the tool modules.
 * Every not_found that cannot offer a close match points at one of these.
 */

const query = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .optional()
  .describe("Case-insensitive text to look for in ids, names and descriptions; omit to list all");

/** list_users {role?, query?, limit?, cursor?} */
export const listUsersTarget = {
  name: "list_users",
  input: z.strictObject({
    role: z.enum(USER_ROLES).optional().describe("Only users with this role"),
    query,
    ...pageArguments,
  }),
} as const;

/** list_items {query?, limit?, cursor?} */
export const listItemsTarget = {
  name: "list_items",
  input: z.strictObject({ query, ...pageArguments }),
} as const;

/** list_projects {status?, query?, limit?, cursor?} */
export const listProjectsTarget = {
  name: "list_projects",
  input: z.strictObject({
    status: z
      .enum(["active", "archived"])
      .optional()
      .describe("Only active (changeable) or archived projects"),
    query,
    ...pageArguments,
  }),
} as const;

/** list_deployments {app_name?, environment?, status?, limit?, cursor?} */
export const listDeploymentsTarget = {
  name: "list_deployments",
  input: z.strictObject({
    app_name: z.string().trim().min(1).max(100).optional().describe("Only deployments of this application"),
    environment: z.enum(ENVIRONMENTS).optional().describe("Only deployments to this environment"),
    status: z.enum(DEPLOYMENT_STATUSES).optional().describe("Only deployments in this status"),
    ...pageArguments,
  }),
} as const;
