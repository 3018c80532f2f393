import { z } from "zod";
import { envelopeOutputSchema } from "../errors/envelope-schema.js";
import type { AnyToolDefinition, ToolAnnotations } from "./tool-definition.js";

/** A JSON Schema whose root is an object, as MCP requires for inputSchema and outputSchema. */
export interface ObjectJsonSchema {
  readonly type: "object";
  readonly [keyword: string]: unknown;
}

/** One entry of tools/list, free of SDK types. */
export interface ToolListing {
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  readonly inputSchema: ObjectJsonSchema;
  /** The envelope-wrapped schema: accepts the success (or batch) envelope and every error envelope. */
  readonly outputSchema: ObjectJsonSchema;
  readonly annotations: ToolAnnotations;
}

// Draft-07 is what the MCP SDK itself emits for zod schemas, and what Ajv's default build reads.
const TARGET = "draft-07";

/** The tools/list entry of a tool; throws on schemas JSON Schema cannot express (fail at start). */
export function toolListing(tool: AnyToolDefinition): ToolListing {
  const inputSchema: Record<string, unknown> = z.toJSONSchema(tool.input, { io: "input", target: TARGET });
  const output = envelopeOutputSchema({
    ...(tool.output === undefined ? {} : { data: tool.output }),
    ...(tool.batch === undefined
      ? {}
      : { batch: { item: tool.batch.item, itemKey: tool.batch.itemKey ?? "item" } }),
  });
  // The union has no root type of its own; every branch is an object, so saying so is exact.
  const outputJson: Record<string, unknown> = z.toJSONSchema(output, { io: "output", target: TARGET });
  const outputSchema: ObjectJsonSchema = { type: "object", ...outputJson };
  if (inputSchema.type !== "object") throw new Error(`Tool "${tool.name}" input must be a zod object schema`);
  return Object.freeze({
    name: tool.name,
    ...(tool.title === undefined ? {} : { title: tool.title }),
    description: tool.description,
    inputSchema: { ...inputSchema, type: "object" } satisfies ObjectJsonSchema,
    outputSchema,
    annotations: { ...tool.annotations },
  });
}
