import { z } from "zod";
import { USER_ROLES, type ImportBatch, type Store } from "../backends/store/store.js";
import { success } from "../errors/handler-result.js";
import { requirePermission } from "../errors/permission-error.js";
import { validationError } from "../errors/validation-error.js";
import { defineTool } from "./tool-definition.js";

const MAX_RECORDS = 1000;

const importInput = z.object({
  users: z
    .array(
      z.object({
        id: z.string().regex(/^\d{1,18}$/, { error: 'user id must be numeric, e.g. "3"' }),
        name: z.string().min(1).max(200),
        email: z.email(),
        role: z.enum(USER_ROLES).default("viewer"),
      }),
    )
    .max(MAX_RECORDS)
    .default([]),
  items: z
    .array(
      z.object({
        id: z.string().min(1).max(100).describe('e.g. "item-006"'),
        name: z.string().min(1).max(200),
        description: z.string().max(2000).optional(),
        price_cents: z.number().int().nonnegative(),
      }),
    )
    .max(MAX_RECORDS)
    .default([]),
  projects: z
    .array(
      z.object({
        name: z.string().min(1).max(100),
        settings: z.record(z.string(), z.json()).optional(),
      }),
    )
    .max(MAX_RECORDS)
    .default([]),
  applications: z
    .array(
      z.object({
        name: z.string().min(1).max(100),
        description: z.string().max(2000).optional(),
        versions: z
          .array(z.object({ version: z.string().min(1).max(50), notes: z.string().max(2000).optional() }))
          .max(100)
          .optional(),
      }),
    )
    .max(MAX_RECORDS)
    .default([]),
});

/**
 * import_records (Pattern 7, the seed's complex_operation): writes users, items, projects and
 * applications in one transaction. Any failure midway — expected or not — leaves nothing written.
 */
export function importRecordsTool(store: Store) {
  return defineTool({
    name: "import_records",
    title: "Import records",
    description:
      "Imports users, items, projects and applications (with versions) in ONE all-or-nothing transaction: either " +
      "every record is written, or none is. Needs the records.import permission. Errors: validation_error for a " +
      "malformed record (fix it and resend the whole batch); already_exists when a record's id or name is taken " +
      "(nothing was written: remove or rename that record and resend); internal_error for an unexpected failure — " +
      "nothing was written, quote the reference_id if it persists.",
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    input: importInput,
    output: z.object({
      batch_id: z.string(),
      imported_at: z.string(),
      counts: z.object({
        users: z.number().int(),
        items: z.number().int(),
        projects: z.number().int(),
        applications: z.number().int(),
        versions: z.number().int(),
      }),
    }),
    async handler(input, ctx) {
      requirePermission(ctx.principal, "records.import", { action: "import", resource: "records" });
      const total =
        input.users.length + input.items.length + input.projects.length + input.applications.length;
      if (total === 0) {
        throw validationError({
          field: "users",
          received: "no records",
          expected: "at least one record in users, items, projects or applications",
          suggestion: 'Send at least one record, e.g. {"projects": [{"name": "new-project"}]}.',
        });
      }
      const batch: ImportBatch = {
        users: input.users,
        items: input.items.map((item) => ({
          id: item.id,
          name: item.name,
          priceCents: item.price_cents,
          ...(item.description === undefined ? {} : { description: item.description }),
        })),
        projects: input.projects.map((project) => ({
          name: project.name,
          ...(project.settings === undefined ? {} : { settings: project.settings }),
        })),
        applications: input.applications,
      };
      const result = await store.importRecords(batch);
      ctx.logger.info({ batch_id: result.batchId, counts: result.counts }, "records imported");
      return success({ batch_id: result.batchId, imported_at: result.importedAt, counts: result.counts });
    },
  });
}
