import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ERROR_CATALOG,
  ERROR_TYPES,
  EXTERNAL_SERVICE_KINDS,
  EXTERNAL_SERVICE_KIND_CATALOG,
  defaultSuggestion,
  isErrorType,
  isRetryable,
} from "../../src/errors/catalog.js";
import { ToolError } from "../../src/errors/tool-error.js";

describe("error catalog", () => {
  it("has one entry per type, keyed by its own type", () => {
    assert.deepEqual(Object.keys(ERROR_CATALOG).sort(), [...ERROR_TYPES].sort());
    for (const type of ERROR_TYPES) assert.equal(ERROR_CATALOG[type].type, type);
    assert.deepEqual(Object.keys(EXTERNAL_SERVICE_KIND_CATALOG).sort(), [...EXTERNAL_SERVICE_KINDS].sort());
    for (const kind of EXTERNAL_SERVICE_KINDS) assert.equal(EXTERNAL_SERVICE_KIND_CATALOG[kind].kind, kind);
  });

  it("keeps the seed article's codes", () => {
    assert.equal(ERROR_CATALOG.not_found.code, -32000);
    assert.equal(ERROR_CATALOG.permission_denied.code, -32001);
    assert.equal(ERROR_CATALOG.rate_limited.code, -32002);
    assert.equal(ERROR_CATALOG.external_service_error.code, -32003);
    assert.equal(ERROR_CATALOG.validation_error.code, -32004);
    assert.equal(ERROR_CATALOG.internal_error.code, -32603);
  });

  it("gives every type a distinct code in the custom range (internal_error aside)", () => {
    const codes = ERROR_TYPES.map((type) => ERROR_CATALOG[type].code);
    assert.equal(new Set(codes).size, codes.length);
    for (const type of ERROR_TYPES) {
      if (type === "internal_error") continue;
      const { code } = ERROR_CATALOG[type];
      assert.ok(code <= -32000 && code >= -32099, `${type} ${code} is in -32000…-32099`);
    }
  });

  it("writes a suggestion and a description for every type and kind", () => {
    for (const type of ERROR_TYPES) {
      assert.ok(ERROR_CATALOG[type].suggestion.length > 20, type);
      assert.ok(ERROR_CATALOG[type].description.length > 20, type);
      assert.doesNotMatch(
        ERROR_CATALOG[type].suggestion + ERROR_CATALOG[type].description,
        /\|/,
        "fits a table",
      );
    }
    for (const kind of EXTERNAL_SERVICE_KINDS)
      assert.ok(EXTERNAL_SERVICE_KIND_CATALOG[kind].suggestion.length > 20);
  });

  it("decides retryability by type, and by kind for external services", () => {
    assert.equal(isRetryable("rate_limited"), true);
    assert.equal(isRetryable("conflict"), true);
    assert.equal(isRetryable("timeout"), true);
    assert.equal(isRetryable("validation_error"), false);
    assert.equal(isRetryable("internal_error"), false);
    assert.equal(isRetryable("cancelled"), false);
    for (const kind of ["server_error", "timeout", "connection_failed", "circuit_open"] as const) {
      assert.equal(isRetryable("external_service_error", kind), true, kind);
    }
    for (const kind of ["client_error", "bad_response"] as const) {
      assert.equal(isRetryable("external_service_error", kind), false, kind);
    }
    assert.equal(isRetryable("external_service_error"), true, "unknown kind: treated as a server error");
  });

  it("narrows strings to types and resolves default suggestions", () => {
    assert.equal(isErrorType("not_found"), true);
    assert.equal(isErrorType("service_unavailable"), false);
    assert.equal(isErrorType(42), false);
    assert.equal(defaultSuggestion("not_found"), ERROR_CATALOG.not_found.suggestion);
    assert.equal(
      defaultSuggestion("external_service_error", "client_error"),
      EXTERNAL_SERVICE_KIND_CATALOG.client_error.suggestion,
    );
  });

  it("gives ToolError its code and retryability from the catalog", () => {
    const error = new ToolError("external_service_error", "down", { details: { kind: "bad_response" } });
    assert.equal(error.code, -32003);
    assert.equal(error.retryable, false);
    assert.equal(error.name, "ToolError");
    assert.ok(error instanceof Error);
    const copy = error.with({ suggestion: "later" });
    assert.equal(copy.stack, error.stack, "a copy keeps the original stack");
    assert.equal(copy.suggestion, "later");
    assert.equal(copy.details.kind, "bad_response");
  });
});
