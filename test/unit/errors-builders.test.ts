import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alreadyExists, conflict } from "../../src/errors/conflict-error.js";
import { notFound } from "../../src/errors/not-found.js";
import { permissionDenied, requirePermission } from "../../src/errors/permission-error.js";
import { ToolError } from "../../src/errors/tool-error.js";
import { cancelled, externalServiceError, rateLimited, timedOut } from "../../src/errors/transient-errors.js";
import { UnknownToolError } from "../../src/errors/unknown-tool-error.js";

describe("notFound", () => {
  it("offers similar matches and a did-you-mean suggestion", () => {
    const error = notFound({
      resource_type: "project",
      identifier: "alpah",
      candidates: ["alpha", "beta", "alphabet"],
    });
    assert.equal(error.type, "not_found");
    assert.equal(error.message, "Project 'alpah' not found");
    assert.deepEqual(error.details.similar_matches, ["alpha"]);
    assert.equal(error.suggestion, "Did you mean: alpha?");
  });

  it("falls back to checking the identifier when nothing is close", () => {
    const error = notFound({ resource_type: "user", identifier: "zzz", candidates: ["alice"] });
    assert.equal(error.details.similar_matches, undefined);
    assert.equal(error.suggestion, "No user has this identifier: check it against the ones that exist.");
  });
});

describe("permission errors", () => {
  it("names action, resource and the missing permission", () => {
    const error = permissionDenied({
      action: "delete",
      resource: "project/alpha",
      required_permission: "project.delete",
    });
    assert.equal(error.message, "Permission denied: cannot delete project/alpha");
    assert.match(error.suggestion ?? "", /requires 'project\.delete' permission/);
    assert.equal(error.details.required_permission, "project.delete");
  });

  it("requirePermission throws only without the permission", () => {
    const target = { action: "create", resource: "project/x" };
    assert.doesNotThrow(() => {
      requirePermission({ permissions: new Set(["project.create"]) }, "project.create", target);
    });
    assert.throws(
      () => {
        requirePermission({ permissions: new Set() }, "project.create", target);
      },
      (error: unknown) => error instanceof ToolError && error.type === "permission_denied",
    );
  });
});

describe("conflicts", () => {
  it("already_exists is not retryable; conflict is, after its wait", () => {
    const exists = alreadyExists({ resource_type: "project", identifier: "alpha" });
    assert.equal(exists.message, "project 'alpha' already exists");
    assert.equal(exists.retryable, false);
    const busy = conflict({
      message: "Another deployment is running",
      resource_type: "deployment",
      identifier: "d-1",
      retryAfterSeconds: 30,
    });
    assert.equal(busy.code, -32006);
    assert.equal(busy.retryable, true);
    assert.equal(busy.retryAfterSeconds, 30);
    assert.equal(busy.details.identifier, "d-1");
  });
});

describe("transient errors", () => {
  it("word external failures by kind, with or without a service name", () => {
    assert.equal(
      externalServiceError({ service: "weather-api", kind: "server_error", status_code: 502 }).message,
      "weather-api failed to handle the request (HTTP 502)",
    );
    assert.equal(
      externalServiceError({ kind: "connection_failed" }).message,
      "Could not connect to an external service",
    );
    assert.equal(externalServiceError({ kind: "bad_response" }).retryable, false);
  });

  it("rate_limited, timeout and cancelled carry what the runner needs", () => {
    const limited = rateLimited({ retryAfterSeconds: 7 });
    assert.equal(limited.message, "This server is rate limiting requests");
    assert.equal(limited.retryAfterSeconds, 7);
    assert.equal(timedOut(1500).message, "The tool did not finish within 1.5 seconds");
    assert.equal(timedOut(1500).details.timeout_ms, 1500);
    assert.equal(cancelled().type, "cancelled");
  });
});

describe("UnknownToolError", () => {
  it("is a protocol error (-32602) with nearby names and a clean, short message", () => {
    const error = new UnknownToolError(`bad\u0000name${"x".repeat(200)}`, ["bad_name"]);
    assert.equal(error.code, -32602);
    assert.ok(!error.message.includes("\u0000"));
    assert.ok(error.message.length < 200);
    assert.match(error.message, /Did you mean: "bad_name"\?/);
  });
});
