import { z } from "zod";
import type { Store } from "../backends/store/store.js";
import { notFound } from "../errors/not-found.js";
import { stepTo } from "../errors/recovery-steps.js";
import { listUsersTarget } from "./listing-inputs.js";
import { defineTool } from "./tool-definition.js";

const userData = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: z.string(),
  created_at: z.string(),
});

/** get_user: one user by numeric id, with "did you mean" ids when it does not exist. */
export function getUserTool(store: Store) {
  return defineTool({
    name: "get_user",
    title: "Get user",
    description:
      'Returns one user (id, name, email, role) by its numeric id, such as "1". ' +
      "Errors: validation_error when user_id is not a string of digits (send digits only); " +
      "not_found when no user has that id (its suggestion lists valid ids, similar_matches holds close ones when " +
      "there are any, and a step lists the users with their names: use it to find someone by name).",
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    input: z.object({
      user_id: z
        .union([z.string(), z.number().int().nonnegative()])
        .transform((value) => String(value).trim())
        .pipe(z.string().regex(/^\d{1,18}$/, { error: 'user_id must be numeric, e.g. "1"' }))
        .describe('The user id: digits only, e.g. "1". A number is accepted too.'),
    }),
    output: userData,
    async handler({ user_id }) {
      const user = await store.getUser(user_id);
      if (user !== undefined) {
        return {
          id: user.id,
          name: user.name,
          email: user.email,
          role: user.role,
          created_at: user.createdAt,
        };
      }
      const ids = await store.listUserIds();
      throw notFound({
        resource_type: "user",
        identifier: user_id,
        candidates: ids,
        suggestion: `No user has id ${user_id}. Valid user ids: ${ids.slice(0, 20).join(", ")}${ids.length > 20 ? ", …" : ""}.`,
        recovery_steps: [
          stepTo(listUsersTarget, {
            action: "List the users with their names",
            parameters: {},
            description: 'Add query (e.g. "alice") to find a user by name or email.',
          }),
        ],
      });
    },
  });
}
