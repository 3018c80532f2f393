import type { RawTool } from "../raw-tool.js";
import { textResult } from "./tool-support.js";

/**
 * Advertises a 2020-12 inputSchema (SEP-1613, SEP-2106). The scenario fails if `$schema`, `$defs`,
 * `additionalProperties`, `$anchor`, `allOf`/`anyOf` or `if`/`then`/`else` are missing from
 * tools/list, so nothing on the way out may normalise it.
 */
export const JSON_SCHEMA_2020_12_FIXTURE_TOOL: RawTool = {
  definition: {
    name: "json_schema_2020_12_tool",
    description: "Conformance fixture (SEP-1613): an inputSchema using JSON Schema 2020-12 keywords.",
    inputSchema: {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      $defs: {
        address: {
          $anchor: "addressDef",
          type: "object",
          properties: { street: { type: "string" }, city: { type: "string" } },
        },
      },
      properties: {
        name: { type: "string" },
        address: { $ref: "#/$defs/address" },
        contactMethod: { type: "string", enum: ["phone", "email"] },
        phone: { type: "string" },
        email: { type: "string" },
      },
      allOf: [{ anyOf: [{ required: ["phone"] }, { required: ["email"] }] }],
      if: { properties: { contactMethod: { const: "phone" } }, required: ["contactMethod"] },
      then: { required: ["phone"] },
      else: { required: ["email"] },
      additionalProperties: false,
    },
  },
  call: (args) => Promise.resolve(textResult(`Received arguments: ${JSON.stringify(args)}`)),
};
