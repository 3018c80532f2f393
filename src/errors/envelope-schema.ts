import { z } from "zod";
import { ERROR_TYPES, EXTERNAL_SERVICE_KINDS } from "./catalog.js";

/**
 * Zod schemas of the envelopes, for a tool's published outputSchema. The MCP SDK client validates
 * structuredContent against outputSchema even when isError is true, so a tool's schema must accept
 * its success envelope AND every error envelope: `envelopeOutputSchema` is that union. Envelope
 * objects are loose (extra fields pass) so adding a field later never breaks a deployed client;
 * the tool's own `data` schema keeps whatever strictness its author gave it.
 */

const jsonPrimitive = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** The `retry` object. */
export const retryGuidanceSchema = z.object({
  should_retry: z.boolean(),
  retry_after_seconds: z.number().int().min(0).optional(),
  next_attempt: z.number().int().min(2).optional(),
  max_attempts: z.number().int().min(1),
  reason: z.string().optional(),
});

/** One alternative of a choice step. */
export const stepOptionSchema = z.object({
  tool: z.string(),
  parameters: z.record(z.string(), z.unknown()),
  fill_in: z.array(z.string()).optional(),
  description: z.string().optional(),
});

/** A next step (success) or, with `step`, a recovery step (failure). */
export const toolStepSchema = z.object({
  action: z.string(),
  tool: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  fill_in: z.array(z.string()).optional(),
  options: z.array(stepOptionSchema).optional(),
  description: z.string().optional(),
});

/** A numbered recovery step. */
export const recoveryStepSchema = toolStepSchema.extend({ step: z.number().int().min(1) });

/** One bad argument of a validation_error. */
export const fieldIssueSchema = z.object({
  field: z.string(),
  message: z.string(),
  received: z.string().optional(),
  expected: z.string().optional(),
  examples: z.array(jsonPrimitive).optional(),
});

/** `error` of a failure envelope. */
export const errorBodySchema = z.looseObject({
  type: z.enum(ERROR_TYPES),
  code: z.number().int(),
  message: z.string(),
  suggestion: z.string(),
  reference_id: z.string(),
  field: z.string().optional(),
  received: z.string().optional(),
  expected: z.string().optional(),
  examples: z.array(jsonPrimitive).optional(),
  fields: z.array(fieldIssueSchema).optional(),
  resource_type: z.string().optional(),
  identifier: z.string().optional(),
  similar_matches: z.array(z.string()).optional(),
  action: z.string().optional(),
  resource: z.string().optional(),
  required_permission: z.string().optional(),
  kind: z.enum(EXTERNAL_SERVICE_KINDS).optional(),
  service: z.string().optional(),
  status_code: z.number().int().optional(),
  timeout_ms: z.number().optional(),
  reason: z.string().optional(),
  current_deployment: z.string().optional(),
  failed_record: z
    .object({ collection: z.string(), index: z.number().int().min(0), id: z.string() })
    .optional(),
  written: z.number().int().min(0).optional(),
  retry: retryGuidanceSchema.optional(),
  recovery_steps: z.array(recoveryStepSchema).optional(),
});

/** `{success: false, error}`. */
export const errorEnvelopeSchema = z.looseObject({ success: z.literal(false), error: errorBodySchema });

/** A warning of a degraded result. */
export const warningSchema = z.object({
  component: z.string(),
  message: z.string(),
  impact: z.string(),
  error_type: z.enum(ERROR_TYPES),
});

/** Completeness metadata. */
export const metadataSchema = z.looseObject({
  components_requested: z.array(z.string()).optional(),
  components_returned: z.array(z.string()).optional(),
  completeness: z.number().min(0).max(1).optional(),
});

/** `{success: true, data}` with `data` as the tool declares it. */
export function successEnvelopeSchema(data: z.ZodType = z.unknown()) {
  return z.looseObject({
    success: z.literal(true),
    data,
    degraded: z.boolean().optional(),
    warnings: z.array(warningSchema).optional(),
    metadata: metadataSchema.optional(),
    next_steps: z.array(toolStepSchema).optional(),
  });
}

/** A failed batch item. */
export const batchItemErrorSchema = z.looseObject({
  error_type: z.enum(ERROR_TYPES),
  code: z.number().int(),
  message: z.string(),
  suggestion: z.string(),
  recoverable: z.boolean(),
  reference_id: z.string().optional(),
});

/** The batch shape; each result is the item's own result plus its `itemKey` field. */
export function batchEnvelopeSchema(item: z.ZodType, itemKey: string) {
  const entry =
    item instanceof z.ZodObject
      ? item.extend({ [itemKey]: z.string() })
      : z.object({ [itemKey]: z.string(), result: item });
  return z.looseObject({
    success: z.boolean(),
    summary: z.object({
      total: z.number().int().min(0),
      succeeded: z.number().int().min(0),
      failed: z.number().int().min(0),
      success_rate: z.number().min(0).max(1),
    }),
    results: z.array(entry),
    errors: z.array(batchItemErrorSchema.extend({ [itemKey]: z.string() })),
    error_summary: z
      .object({
        by_type: z.partialRecord(z.enum(ERROR_TYPES), z.number().int()),
        recoverable_count: z.number().int().min(0),
        suggestion: z.string(),
      })
      .optional(),
  });
}

/** What a tool returns on success: plain data, or batches of items. */
export interface OutputShape {
  readonly data?: z.ZodType;
  readonly batch?: { readonly item: z.ZodType; readonly itemKey: string };
}

/** The schema a tool publishes: its success (or batch) envelope, or any error envelope. */
export function envelopeOutputSchema(shape: OutputShape = {}): z.ZodType {
  const success = shape.batch
    ? batchEnvelopeSchema(shape.batch.item, shape.batch.itemKey)
    : successEnvelopeSchema(shape.data);
  return z.union([success, errorEnvelopeSchema]);
}
