import { z } from "zod";
import type { Store, User } from "../backends/store/store.js";
import { success } from "../errors/handler-result.js";
import { encodeCursor, nextPageStep, pageFields, pageOf, readCursor } from "./list-pages.js";
import { listUsersTarget } from "./listing-inputs.js";
import { givenFilters, matchesQuery } from "./list-query.js";
import { defineTool } from "./tool-definition.js";

// Ids are digits: padded, they sort as numbers ("2" before "10"), as the store lists them.
const keyOf = (user: User) => user.id.padStart(20, "0");

/** list_users: users page by page, filtered by role or text; what get_user's not_found points to. */
export function listUsersTool(store: Store) {
  return defineTool({
    ...listUsersTarget,
    title: "List users",
    description:
      "Lists users (id, name, email, role), lowest id first, page by page. Filter by role or by text in the id, " +
      'name or email (query, e.g. "alice"). Use it to find a user\'s id for get_user. When next_cursor is not ' +
      "null, call again with it (and the same filters) for the next page. Changes nothing.",
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    output: z.object({
      users: z.array(z.object({ id: z.string(), name: z.string(), email: z.string(), role: z.string() })),
      ...pageFields,
    }),
    async handler({ role, query, limit, cursor }) {
      const filters = { role, query };
      const start = readCursor(listUsersTarget, filters, cursor, givenFilters(filters));
      const matching = (await store.listUsers()).filter(
        (user) =>
          (role === undefined || user.role === role) && matchesQuery(query, [user.id, user.name, user.email]),
      );
      const { records, lastKey } = pageOf(matching, keyOf, start, limit);
      const next = lastKey === undefined ? null : encodeCursor(listUsersTarget.name, filters, lastKey);
      return success(
        {
          users: records.map(({ id, name, email, role: userRole }) => ({ id, name, email, role: userRole })),
          count: records.length,
          next_cursor: next,
        },
        {
          next_steps:
            next === null
              ? []
              : [nextPageStep(listUsersTarget, { ...givenFilters(filters), limit, cursor: next }, "users")],
        },
      );
    },
  });
}
