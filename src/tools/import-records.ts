import { z } from "zod";
import type { ImportBatch, Store } from "../backends/store/store.js";
import { USER_ROLES } from "../domain/records.js";
import { RefusalError, type DomainRefusal } from "../domain/refusal.js";
import { alreadyExists } from "../errors/conflict-error.js";
import { success } from "../errors/handler-result.js";
import { requirePermission } from "../errors/permission-error.js";
import { instruction } from "../errors/recovery-steps.js";
import { phraseRefusal } from "../errors/refusal-wording.js";
import type { ToolError } from "../errors/tool-error.js";
import { validationError } from "../errors/validation-error.js";
import { depthLimited } from "./json-depth.js";
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
        settings: depthLimited(z.record(z.string(), z.json()), "settings").optional(),
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
 * import_records (all-or-nothing writes, docs/patterns.md): writes users, items, projects and
 * applications in one transaction. Any failure midway, expected or not, leaves nothing written.
 */
export function importRecordsTool(store: Store) {
  return defineTool({
    name: "import_records",
    title: "Import records",
    description:
      "Imports users, items, projects and applications (with versions) in ONE all-or-nothing transaction: either " +
      "every record is written, or none is. Needs the records.import permission. Errors: validation_error for a " +
      "malformed record; already_exists when a record's id or name is taken (failed_record names it: collection, " +
      "index, id). Every error says written: 0, because nothing was written: fix or drop the record named and " +
      "resend the WHOLE batch, not only that record. No tool updates existing users or items: drop those. " +
      "internal_error is an unexpected failure: nothing was written either; quote the reference_id.",
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    allOrNothing: true,
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
      const result = await importOrExplain(store, batch);
      ctx.logger.info({ batch_id: result.batchId, counts: result.counts }, "records imported");
      return success({ batch_id: result.batchId, imported_at: result.importedAt, counts: result.counts });
    },
  });
}

/** Imports; a refusal names the record to fix or drop and says to resend the whole batch. */
async function importOrExplain(store: Store, batch: ImportBatch) {
  try {
    return await store.importRecords(batch);
  } catch (error) {
    if (!(error instanceof RefusalError)) throw error;
    throw refusedBatch(error.refusal, error);
  }
}

function refusedBatch(refusal: DomainRefusal, cause: RefusalError): ToolError {
  const resend =
    "then call import_records again with the WHOLE batch: nothing was written, not even the other records";
  if (refusal.kind !== "duplicate_record" || refusal.index === undefined) {
    const phrased = phraseRefusal(refusal, cause);
    return phrased.with({ suggestion: `${phrased.suggestion ?? "Correct the value named"}; ${resend}.` });
  }
  const place = `${refusal.collection}[${refusal.index}]`;
  const noun = refusal.field === "version" ? "version" : singular(refusal.collection);
  const taken =
    refusal.field === "id" || refusal.field === noun
      ? `'${refusal.value}'`
      : `with ${refusal.field} '${refusal.value}'`;
  return alreadyExists({
    resource_type: noun,
    identifier: refusal.value,
    failed_record: { collection: refusal.collection, index: refusal.index, id: refusal.id },
    message: `${place} (id '${refusal.id}') was refused: a ${noun} ${taken} already exists. Nothing was written.`,
    suggestion:
      `Fix or drop ${place}: give it an unused ${refusal.field}, or leave it out if it is already there ` +
      `(no tool updates existing records); ${resend}.`,
    recovery_steps: [
      instruction(`Fix or drop ${place} in the batch`, `Its ${refusal.field} '${refusal.value}' is taken.`),
      instruction(
        "Send the whole corrected batch to import_records",
        "Every record, not only the one that failed.",
      ),
    ],
    cause,
  });
}

function singular(collection: string): string {
  return collection.endsWith("s") ? collection.slice(0, -1) : collection;
}
