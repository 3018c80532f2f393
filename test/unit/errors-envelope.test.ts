import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { classifyError } from "../../src/errors/classify.js";
import { alreadyExists, conflict } from "../../src/errors/conflict-error.js";
import { errorEnvelope, successEnvelope } from "../../src/errors/envelope.js";
import {
  envelopeOutputSchema,
  errorBodySchema,
  errorEnvelopeSchema,
  successEnvelopeSchema,
} from "../../src/errors/envelope-schema.js";
import { success } from "../../src/errors/handler-result.js";
import { notFound } from "../../src/errors/not-found.js";
import { permissionDenied } from "../../src/errors/permission-error.js";
import { ToolError } from "../../src/errors/tool-error.js";
import { externalServiceError, rateLimited, timedOut } from "../../src/errors/transient-errors.js";
import { UpstreamError } from "../../src/errors/upstream-error.js";
import { validationError, validationErrorFromZod } from "../../src/errors/validation-error.js";

const REF = "ref_0000000000ABCDEF";

describe("error envelope", () => {
  it("carries type, code, message, suggestion, reference id and only the details that apply", () => {
    const envelope = errorEnvelope(
      notFound({
        resource_type: "user",
        identifier: "alcie",
        candidates: ["alice"],
        recovery_steps: [{ action: "List users", tool: "list_users", parameters: {} }],
      }),
      REF,
    );
    assert.deepEqual(envelope, {
      success: false,
      error: {
        type: "not_found",
        code: -32000,
        message: "User 'alcie' not found",
        suggestion: "Did you mean: alice?",
        reference_id: REF,
        resource_type: "user",
        identifier: "alcie",
        similar_matches: ["alice"],
        recovery_steps: [{ step: 1, action: "List users", tool: "list_users", parameters: {} }],
      },
    });
  });

  it("uses the kind's suggestion for external errors without one of their own", () => {
    const envelope = errorEnvelope(externalServiceError({ kind: "client_error", status_code: 404 }), REF);
    assert.match(envelope.error.suggestion, /rejected the request/);
  });

  it("masks internal errors completely, whatever details they were given", () => {
    const secret = new Error("SELECT * FROM users WHERE token='sk-live-123' at /srv/app/db.ts");
    const masked = classifyError(secret).with({ details: { field: "token", received: "sk-live-123" } });
    const envelope = errorEnvelope(masked, REF);
    assert.deepEqual(envelope, {
      success: false,
      error: {
        type: "internal_error",
        code: -32603,
        message: `An unexpected error occurred (reference ${REF})`,
        suggestion: `This is a fault in the server, not in the arguments: retrying the same call is unlikely to help. Report the reference id to the operator. Reference: ${REF}.`,
        reference_id: REF,
      },
    });
    const text = JSON.stringify(envelope);
    for (const leak of ["SELECT", "sk-live", "/srv/app", "stack"]) assert.ok(!text.includes(leak), leak);
  });

  it("never includes the upstream body or the cause", () => {
    const envelope = errorEnvelope(
      classifyError(
        new UpstreamError("api", "HTTP 500", { status: 500, bodySnippet: "Traceback: /opt/secret.py" }),
      ),
      REF,
    );
    assert.doesNotMatch(JSON.stringify(envelope), /Traceback|secret|cause/);
  });

  it("produces only fields the published error schema knows, and validates against it", () => {
    const zodError = z.object({ n: z.number() }).safeParse({ n: "x" }).error;
    assert.ok(zodError);
    const errors = [
      validationError({ field: "action", received: "x", expected: "create or delete", examples: ["create"] }),
      validationErrorFromZod(zodError, { input: { n: "x" } }),
      notFound({ resource_type: "file", identifier: "a", candidates: ["b"] }),
      permissionDenied({ action: "read", resource: "r", required_permission: "p" }),
      rateLimited({ service: "api", retryAfterSeconds: 3, status_code: 429 }),
      externalServiceError({ service: "api", kind: "timeout" }),
      alreadyExists({ resource_type: "project", identifier: "p" }),
      conflict({ message: "busy", resource_type: "deployment", identifier: "d" }),
      timedOut(1000).with({
        details: { retry: { should_retry: true, retry_after_seconds: 2, next_attempt: 2, max_attempts: 3 } },
      }),
      new ToolError("cancelled", "cancelled"),
    ];
    const known = new Set(Object.keys(errorBodySchema.shape));
    for (const error of errors) {
      const envelope = errorEnvelope(error, REF);
      for (const key of Object.keys(envelope.error))
        assert.ok(known.has(key), `${error.type}.${key} is in the schema`);
      const parsed = errorEnvelopeSchema.safeParse(envelope);
      assert.ok(parsed.success, `${error.type}: ${JSON.stringify(parsed.error?.issues)}`);
    }
  });
});

describe("success envelope and the output schema", () => {
  it("keeps extras only when given", () => {
    assert.deepEqual(successEnvelope(success({ a: 1 })), { success: true, data: { a: 1 } });
    const rich = successEnvelope(
      success(
        { id: "d-1" },
        {
          next_steps: [{ action: "Monitor", tool: "check", parameters: { id: "d-1" } }],
          metadata: { completeness: 1 },
        },
      ),
    );
    assert.deepEqual(rich.next_steps, [{ action: "Monitor", tool: "check", parameters: { id: "d-1" } }]);
    assert.ok(successEnvelopeSchema().safeParse(rich).success);
  });

  it("accepts the tool's success envelope and any error envelope, and nothing else", () => {
    const schema = envelopeOutputSchema({ data: z.object({ name: z.string() }) });
    assert.ok(schema.safeParse({ success: true, data: { name: "Alice" } }).success);
    assert.ok(
      schema.safeParse(errorEnvelope(notFound({ resource_type: "user", identifier: "x" }), REF)).success,
    );
    assert.ok(schema.safeParse(errorEnvelope(classifyError(new Error("x")), REF)).success);
    assert.equal(schema.safeParse({ success: true, data: { name: 1 } }).success, false);
    assert.equal(schema.safeParse({ success: false, error: { type: "oops" } }).success, false);
    assert.equal(schema.safeParse({ success: true }).success, false);
  });

  it("converts to a JSON Schema whose branches are all objects", () => {
    const json = z.toJSONSchema(envelopeOutputSchema({ data: z.object({ a: z.string() }) }), {
      target: "draft-07",
    });
    const branches = json.anyOf as { type?: string }[];
    assert.equal(branches.length, 2);
    for (const branch of branches) assert.equal(branch.type, "object");
  });
});
