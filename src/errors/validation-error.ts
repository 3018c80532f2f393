import type { z } from "zod";
import type { ToolStep } from "./recovery-steps.js";
import { findSimilar } from "./similar-matches.js";
import { ToolError, type FieldIssue, type JsonPrimitive } from "./tool-error.js";

/** A JSON Schema node as z.toJSONSchema produces it; read defensively. */
export type JsonSchemaNode = Readonly<Record<string, unknown>>;

const MAX_RECEIVED_LENGTH = 100;
const MAX_EXAMPLES = 10;
// The field name used for issues about the arguments object as a whole.
const ROOT_FIELD = "arguments";

/** One bad value, described the way the seed's ErrorContext.validation_error does. */
export interface ValidationErrorInput {
  readonly field: string;
  readonly received?: unknown;
  readonly expected: string;
  readonly examples?: readonly JsonPrimitive[];
  readonly message?: string;
  readonly suggestion?: string;
  readonly recovery_steps?: readonly ToolStep[];
  readonly cause?: unknown;
}

/** A validation_error about one field, for checks a schema cannot express (e.g. "this id does not parse"). */
export function validationError(input: ValidationErrorInput): ToolError {
  const received = describeReceived(input.received);
  const examples = input.examples?.slice(0, MAX_EXAMPLES);
  const message =
    input.message ?? `Invalid ${input.field}: expected ${input.expected}, got ${describeGot(input.received)}`;
  const issue: FieldIssue = {
    field: input.field,
    message,
    ...(received === undefined ? {} : { received }),
    expected: input.expected,
    ...(examples && examples.length > 0 ? { examples } : {}),
  };
  const suggestion =
    input.suggestion ??
    (examples && examples.length > 0
      ? `Try one of: ${examples.map(formatExample).join(", ")}`
      : `Provide ${input.field} as ${input.expected}.`);
  return new ToolError("validation_error", message, {
    suggestion,
    details: {
      field: input.field,
      ...(received === undefined ? {} : { received }),
      expected: input.expected,
      ...(examples && examples.length > 0 ? { examples } : {}),
      fields: [issue],
      ...(input.recovery_steps ? { recovery_steps: input.recovery_steps } : {}),
    },
    cause: input.cause,
  });
}

/** What the runner knows when turning zod issues into one validation_error. */
export interface ZodValidationContext {
  /** The raw arguments, to report what was received and spot misspelt argument names. */
  readonly input?: unknown;
  /** The tool's input as JSON Schema, to state the whole expectation ("an integer from 1 to 100"). */
  readonly inputJsonSchema?: JsonSchemaNode;
  readonly toolName?: string;
}

interface Draft {
  readonly field: string;
  readonly messages: string[];
  readonly received: string | undefined;
  readonly expected: string | undefined;
  readonly examples: readonly JsonPrimitive[];
  readonly fix: string;
}

/**
 * One validation_error naming every bad field (SEP-1303: argument errors are tool results the model
 * can correct). `fields` lists them all, `field`/`received`/`expected` repeat the first, and the
 * suggestion says how to fix each.
 */
export function validationErrorFromZod(
  error: z.core.$ZodError,
  context: ZodValidationContext = {},
): ToolError {
  const drafts = new Map<string, Draft>();
  const declaredKeys = Object.keys(objectProperty(context.inputJsonSchema, "properties") ?? {});
  const unknownKeys = isRecord(context.input)
    ? Object.keys(context.input).filter((key) => declaredKeys.length > 0 && !declaredKeys.includes(key))
    : [];

  for (const issue of error.issues) {
    for (const draft of draftsFor(issue, context, declaredKeys, unknownKeys)) {
      const existing = drafts.get(draft.field);
      if (existing) existing.messages.push(...draft.messages);
      else drafts.set(draft.field, draft);
    }
  }

  const fields: FieldIssue[] = [...drafts.values()].map((draft) => ({
    field: draft.field,
    message: draft.messages.join("; "),
    ...(draft.received === undefined ? {} : { received: draft.received }),
    ...(draft.expected === undefined ? {} : { expected: draft.expected }),
    ...(draft.examples.length > 0 ? { examples: draft.examples } : {}),
  }));
  const first: FieldIssue = fields[0] ?? { field: ROOT_FIELD, message: "The arguments are invalid." };
  const message =
    fields.length <= 1
      ? first.message
      : `${fields.length} arguments are invalid: ${fields.map((field) => field.message).join("; ")}`;
  const fixes = [...drafts.values()].map((draft) => draft.fix);
  const target = context.toolName === undefined ? "the tool" : context.toolName;
  return new ToolError("validation_error", message, {
    suggestion: `Fix the arguments and call ${target} again: ${fixes.join("; ")}.`,
    details: {
      field: first.field,
      ...(first.received === undefined ? {} : { received: first.received }),
      ...(first.expected === undefined ? {} : { expected: first.expected }),
      ...(first.examples === undefined ? {} : { examples: first.examples }),
      fields,
    },
    cause: error,
  });
}

function draftsFor(
  issue: z.core.$ZodIssue,
  context: ZodValidationContext,
  declaredKeys: readonly string[],
  unknownKeys: readonly string[],
): Draft[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const field = formatPath([...issue.path, key]);
      const similar = findSimilar(key, declaredKeys, { limit: 1 })[0];
      return {
        field,
        messages: [`Unknown argument "${field}"`],
        received: undefined,
        expected:
          declaredKeys.length > 0 ? `one of the declared arguments: ${declaredKeys.join(", ")}` : undefined,
        examples: [],
        fix: similar === undefined ? `remove "${field}"` : `rename "${field}" to "${similar}"`,
      };
    });
  }

  const field = formatPath(issue.path);
  const value = valueAt(context.input, issue.path, issue.input);
  const node = schemaAt(context.inputJsonSchema, issue.path);
  // A format or refinement failure is about a value of the right type: the schema node (the
  // input side, types only) would say "a string" to a model that sent a string. The issue knows more.
  // So is a failure inside a union's pipe ("a string or an integer", then "not empty"): the input
  // side of the schema only lists the union's types, which the value already had.
  const refined =
    issue.code === "custom" ||
    (issue.code === "invalid_format" && issue.format === "regex") ||
    (issue.code !== "invalid_type" && Array.isArray(node?.anyOf));
  const expected = refined
    ? (expectedFromIssue(issue) ?? (node && describeExpected(node)))
    : ((node && describeExpected(node)) ?? expectedFromIssue(issue));
  const examples = node
    ? examplesOf(node)
    : issue.code === "invalid_value"
      ? issue.values.filter(isJson)
      : [];
  const received = describeReceived(value);
  const missing = issue.code === "invalid_type" && value === undefined && issue.path.length > 0;

  if (missing) {
    const key = issue.path[issue.path.length - 1];
    const misspelt = typeof key === "string" ? findSimilar(key, unknownKeys, { limit: 1 })[0] : undefined;
    const wanted = expected === undefined ? "" : ` (${expected})`;
    return [
      {
        field,
        messages: [
          misspelt === undefined
            ? `Missing required argument "${field}"${wanted}`
            : `Missing required argument "${field}"${wanted}; an argument "${misspelt}" was sent instead`,
        ],
        received: undefined,
        expected,
        examples,
        fix:
          misspelt === undefined
            ? `add "${field}"${wanted}${exampleHint(examples)}`
            : `rename "${misspelt}" to "${field}"`,
      },
    ];
  }

  const custom = !/^(Invalid|Too (big|small)|Unrecognized)/.test(issue.message);
  const text = custom
    ? `"${field}": ${issue.message}`
    : expected === undefined
      ? `"${field}": ${issue.message}`
      : `"${field}" must be ${expected}, got ${describeGot(value)}`;
  return [
    {
      field,
      messages: [text],
      received,
      expected,
      examples,
      fix: `set "${field}" to ${expected ?? "a valid value"}${exampleHint(examples)}`,
    },
  ];
}

/** `received` as the envelope shows it: a short string, or undefined when nothing was sent. */
export function describeReceived(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return truncate(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  if (typeof value === "object") return "an object";
  return typeof value;
}

function describeGot(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return `string ${JSON.stringify(truncate(value))}`;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return `${typeof value} ${String(value)}`;
  }
  return describeReceived(value) ?? typeof value;
}

function truncate(text: string): string {
  return text.length > MAX_RECEIVED_LENGTH ? `${text.slice(0, MAX_RECEIVED_LENGTH)}…` : text;
}

function formatExample(value: JsonPrimitive): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function exampleHint(examples: readonly JsonPrimitive[]): string {
  if (examples.length === 0) return "";
  return `, e.g. ${examples
    .slice(0, 3)
    .map((example) => JSON.stringify(example))
    .join(" or ")}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return ROOT_FIELD;
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else text += text.length === 0 ? String(key) : `.${String(key)}`;
  }
  return text;
}

function valueAt(input: unknown, path: readonly PropertyKey[], fallback: unknown): unknown {
  if (input === undefined) return fallback;
  let current: unknown = input;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === "number") current = current[key];
    else if (isRecord(current) && typeof key === "string") current = current[key];
    else return undefined;
  }
  return current;
}

function schemaAt(
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
function describeExpected(node: JsonSchemaNode): string | undefined {
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

function expectedFromIssue(issue: z.core.$ZodIssue): string | undefined {
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

function examplesOf(node: JsonSchemaNode): JsonPrimitive[] {
  const values = Array.isArray(node.enum) ? node.enum : Array.isArray(node.examples) ? node.examples : [];
  return values.filter(isJson).slice(0, MAX_EXAMPLES);
}

function isJson(value: unknown): value is JsonPrimitive {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function objectProperty(node: unknown, key: PropertyKey): JsonSchemaNode | undefined {
  if (!isRecord(node) || typeof key !== "string") return undefined;
  const value = node[key];
  return isRecord(value) ? value : undefined;
}

function numberProperty(node: JsonSchemaNode, key: string): number | undefined {
  const value = node[key];
  return typeof value === "number" ? value : undefined;
}
