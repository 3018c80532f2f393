import type { z } from "zod";
import type { JsonPrimitive } from "./tool-error.js";

/*
 * What a value was expected to be, in words a model reads: from the tool's input as JSON Schema
 * ("an integer from 1 to 100", "one of: ...") or, when the schema cannot say, from the zod issue.
 * Used by validation-error.ts; read defensively, since any tool's schema can reach it.
 */

/** A JSON Schema node as z.toJSONSchema produces it; read defensively. */
export type JsonSchemaNode = Readonly<Record<string, unknown>>;

/** At most this many examples are shown for one value. */
export const MAX_EXAMPLES = 10;

/** The schema node of the value at `path` (property names and array indexes), if any. */
export function schemaAt(
  root: JsonSchemaNode | undefined,
  path: readonly PropertyKey[],
): JsonSchemaNode | undefined {
  let node = root;
  for (const key of path) {
    if (!node) return undefined;
    node =
      typeof key === "number"
        ? objectProperty(node, "items")
        : objectProperty(objectProperty(node, "properties"), key);
  }
  return node;
}

/** "an integer from 1 to 100", "one of: "a", "b"", "a string of at least 2 characters"… */
export function describeExpected(node: JsonSchemaNode): string | undefined {
  if (Array.isArray(node.enum))
    return `one of: ${node.enum.map((value) => JSON.stringify(value)).join(", ")}`;
  if ("const" in node) return `exactly ${JSON.stringify(node.const)}`;
  if (Array.isArray(node.anyOf)) {
    const options = node.anyOf.filter(isRecord).map(describeExpected);
    return options.every((option) => option !== undefined) ? options.join(" or ") : undefined;
  }
  const type = node.type;
  if (Array.isArray(type)) {
    const names = type.filter((entry): entry is string => typeof entry === "string").map(typeName);
    return names.join(" or ");
  }
  if (typeof type !== "string") return undefined;
  switch (type) {
    case "integer":
    case "number":
      return `${typeName(type)}${numberRange(node)}`;
    case "string":
      return `a string${lengthRange(node, "minLength", "maxLength", "characters")}${stringShape(node)}`;
    case "array":
      return `an array${lengthRange(node, "minItems", "maxItems", "items")}`;
    default:
      return typeName(type);
  }
}

function typeName(type: string): string {
  switch (type) {
    case "integer":
      return "an integer";
    case "number":
      return "a number";
    case "string":
      return "a string";
    case "boolean":
      return "true or false";
    case "array":
      return "an array";
    case "object":
      return "an object";
    case "null":
      return "null";
    default:
      return type;
  }
}

function numberRange(node: JsonSchemaNode): string {
  const min = numberProperty(node, "minimum");
  const max = numberProperty(node, "maximum");
  const exclusiveMin = numberProperty(node, "exclusiveMinimum");
  const exclusiveMax = numberProperty(node, "exclusiveMaximum");
  // zod writes the safe-integer bounds of .int() as min/max; they say nothing useful.
  const lower = min !== undefined && min > Number.MIN_SAFE_INTEGER ? min : undefined;
  const upper = max !== undefined && max < Number.MAX_SAFE_INTEGER ? max : undefined;
  const parts: string[] = [];
  if (lower !== undefined && upper !== undefined) return ` from ${lower} to ${upper}`;
  if (lower !== undefined) parts.push(`>= ${lower}`);
  if (exclusiveMin !== undefined) parts.push(`> ${exclusiveMin}`);
  if (upper !== undefined) parts.push(`<= ${upper}`);
  if (exclusiveMax !== undefined) parts.push(`< ${exclusiveMax}`);
  return parts.length === 0 ? "" : ` ${parts.join(" and ")}`;
}

function lengthRange(node: JsonSchemaNode, minKey: string, maxKey: string, unit: string): string {
  const min = numberProperty(node, minKey);
  const max = numberProperty(node, maxKey);
  const units = (count: number) => (count === 1 ? unit.replace(/s$/, "") : unit);
  if (min !== undefined && max !== undefined) {
    return min === max ? ` of exactly ${min} ${units(min)}` : ` of ${min} to ${max} ${units(max)}`;
  }
  if (min !== undefined && min > 0) return ` of at least ${min} ${units(min)}`;
  if (max !== undefined) return ` of at most ${max} ${units(max)}`;
  return "";
}

function stringShape(node: JsonSchemaNode): string {
  if (typeof node.format === "string") return ` in ${node.format} format`;
  if (typeof node.pattern === "string") return ` matching /${node.pattern}/`;
  return "";
}

export function expectedFromIssue(issue: z.core.$ZodIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      return typeName(issue.expected === "int" ? "integer" : issue.expected);
    case "too_small":
      return sizeBound(issue.origin, "at least", issue.minimum, issue.inclusive === false ? ">" : ">=");
    case "too_big":
      return sizeBound(issue.origin, "at most", issue.maximum, issue.inclusive === false ? "<" : "<=");
    case "invalid_value":
      return `one of: ${issue.values.map((value) => JSON.stringify(value)).join(", ")}`;
    case "invalid_format":
      if (issue.pattern === undefined) return `a valid ${issue.format}`;
      // zod gives a regex's pattern with its slashes ("/^\d+$/"), a named format's without.
      return `a string matching ${issue.pattern.startsWith("/") ? issue.pattern : `/${issue.pattern}/`}`;
    case "not_multiple_of":
      return `a multiple of ${issue.divisor}`;
    default:
      return undefined;
  }
}

/** "a string of at least 1 character", "an array of at most 100 items", ">= 1". */
function sizeBound(origin: string, words: string, bound: number | bigint, symbol: string): string {
  const count = Number(bound);
  if (origin === "string") return `a string of ${words} ${count} character${count === 1 ? "" : "s"}`;
  if (origin === "array") return `an array of ${words} ${count} item${count === 1 ? "" : "s"}`;
  return `${symbol} ${String(bound)}`;
}

export function examplesOf(node: JsonSchemaNode): JsonPrimitive[] {
  const values = Array.isArray(node.enum) ? node.enum : Array.isArray(node.examples) ? node.examples : [];
  return values.filter(isJson).slice(0, MAX_EXAMPLES);
}

export function isJson(value: unknown): value is JsonPrimitive {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function objectProperty(node: unknown, key: PropertyKey): JsonSchemaNode | undefined {
  if (!isRecord(node) || typeof key !== "string") return undefined;
  const value = node[key];
  return isRecord(value) ? value : undefined;
}

function numberProperty(node: JsonSchemaNode, key: string): number | undefined {
  const value = node[key];
  return typeof value === "number" ? value : undefined;
}
