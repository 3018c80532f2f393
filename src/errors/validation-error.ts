import type { z } from "zod";
import type { ToolStep } from "./recovery-steps.js";
import { findSimilar } from "./similar-matches.js";
import {
  MAX_EXAMPLES,
  describeExpected,
  examplesOf,
  expectedFromIssue,
  isJson,
  isRecord,
  objectProperty,
  schemaAt,
  type JsonSchemaNode,
} from "./expected-values.js";
import { ToolError, type FieldIssue, type JsonPrimitive } from "./tool-error.js";

const MAX_RECEIVED_LENGTH = 100;
// The field name used for issues about the arguments object as a whole.
const ROOT_FIELD = "arguments";

/** One bad value: the field, what was received, what was expected, and valid examples. */
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
  if (issue.code === "unrecognized_keys") return unknownArgumentDrafts(issue, declaredKeys);
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

/** One draft per argument the schema does not declare, naming the declared one it may be. */
function unknownArgumentDrafts(
  issue: z.core.$ZodIssueUnrecognizedKeys,
  declaredKeys: readonly string[],
): Draft[] {
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
