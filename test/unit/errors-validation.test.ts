import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import {
  describeReceived,
  validationError,
  validationErrorFromZod,
} from "../../src/errors/validation-error.js";

function zodError(schema: z.ZodType, input: unknown): z.ZodError {
  const parsed = schema.safeParse(input);
  assert.equal(parsed.success, false);
  return parsed.error;
}

describe("validationError (the seed's ErrorContext.validation_error)", () => {
  it("names the field, what came and what was expected, with examples as the suggestion", () => {
    const error = validationError({
      field: "action",
      received: "destroy",
      expected: "one of: create, update, delete, archive",
      examples: ["create", "update", "delete", "archive"],
    });
    assert.equal(error.type, "validation_error");
    assert.equal(
      error.message,
      'Invalid action: expected one of: create, update, delete, archive, got string "destroy"',
    );
    assert.equal(error.suggestion, "Try one of: create, update, delete, archive");
    assert.equal(error.details.field, "action");
    assert.equal(error.details.received, "destroy");
    assert.deepEqual(error.details.examples, ["create", "update", "delete", "archive"]);
    assert.equal(error.details.fields?.length, 1);
  });

  it("suggests the expectation when there are no examples", () => {
    const error = validationError({ field: "user_id", received: "abc", expected: "a numeric string" });
    assert.equal(error.suggestion, "Provide user_id as a numeric string.");
  });
});

describe("validationErrorFromZod", () => {
  const schema = z.object({
    query: z.string().min(2),
    max_results: z.number().int().min(1).max(100),
    tags: z.array(z.object({ name: z.string() })).optional(),
    format: z.email().optional(),
  });
  const jsonSchema = z.toJSONSchema(schema, { io: "input", target: "draft-07" }) as Record<string, unknown>;

  it("states whole expectations from the JSON Schema and the received values", () => {
    const input = { query: "a", max_results: 0, tags: [{ name: "ok" }, { name: 7 }], format: "nope" };
    const error = validationErrorFromZod(zodError(schema, input), {
      input,
      inputJsonSchema: jsonSchema,
      toolName: "search",
    });
    const fields = Object.fromEntries((error.details.fields ?? []).map((field) => [field.field, field]));
    assert.deepEqual(Object.keys(fields), ["query", "max_results", "tags[1].name", "format"]);
    assert.equal(fields.query?.expected, "a string of at least 2 characters");
    assert.equal(fields.query.received, "a");
    assert.equal(fields.max_results?.expected, "an integer from 1 to 100");
    assert.equal(fields["tags[1].name"]?.expected, "a string");
    assert.equal(fields["tags[1].name"].received, "7");
    assert.equal(fields.format?.expected, "a string in email format");
    assert.match(error.message, /^4 arguments are invalid: /);
    assert.match(error.suggestion ?? "", /^Fix the arguments and call search again: set "query" to a string/);
  });

  it("works without a JSON Schema, from the issues alone", () => {
    const error = validationErrorFromZod(zodError(schema, { query: 5, max_results: 500 }));
    const fields = error.details.fields ?? [];
    assert.equal(fields[0]?.expected, "a string");
    assert.equal(fields[1]?.expected, "<= 100");
    assert.match(error.suggestion ?? "", /call the tool again/);
  });

  it("keeps a schema author's own message", () => {
    const custom = z.object({
      code: z.string().regex(/^[A-Z]{3}$/, { error: "use a three-letter currency code like EUR" }),
    });
    const error = validationErrorFromZod(zodError(custom, { code: "euro" }), { input: { code: "euro" } });
    assert.equal(error.message, '"code": use a three-letter currency code like EUR');
  });

  it("names unknown arguments of strict schemas and suggests the declared one", () => {
    const strict = z.strictObject({ user_id: z.string() });
    const input = { user_id: "1", userid: "1" };
    const error = validationErrorFromZod(zodError(strict, input), {
      input,
      inputJsonSchema: z.toJSONSchema(strict, { io: "input" }),
    });
    assert.equal(error.details.field, "userid");
    assert.match(error.suggestion ?? "", /rename "userid" to "user_id"/);
  });

  it("reports arguments that are not an object at all", () => {
    const error = validationErrorFromZod(zodError(schema, "query=x"), { input: "query=x" });
    assert.equal(error.details.field, "arguments");
    assert.equal(error.details.expected, "an object");
  });
});

describe("describeReceived", () => {
  it("keeps values short and never dumps objects", () => {
    assert.equal(describeReceived(undefined), undefined);
    assert.equal(describeReceived(null), "null");
    assert.equal(describeReceived(42), "42");
    assert.equal(describeReceived([1, 2, 3]), "an array of 3 items");
    assert.equal(describeReceived({ password: "x" }), "an object");
    assert.equal(describeReceived("x".repeat(500))?.length, 101);
  });
});
