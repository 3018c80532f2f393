import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { conflict } from "../../src/errors/conflict-error.js";
import { notFound } from "../../src/errors/not-found.js";
import { NOT_TRANSIENT_SUGGESTION, withRetryAdvice } from "../../src/errors/retry-advice.js";
import { failureClass, toolFailure } from "../../src/errors/tool-failure.js";
import { externalServiceError, rateLimited } from "../../src/errors/transient-errors.js";

const context = { toolName: "deploy_application", takesAttempt: false, attempt: 1 } as const;

describe("retry advice", () => {
  it("tells when to call again, and says so in the suggestion, for a transient failure", () => {
    const advised = withRetryAdvice(rateLimited({ retryAfterSeconds: 7 }), context);
    assert.deepEqual(advised.details.retry, {
      should_retry: true,
      retry_after_seconds: 7,
      next_attempt: 2,
      max_attempts: 3,
    });
    assert.match(advised.suggestion ?? "", /^Wait 7 seconds, then call deploy_application again\./);
  });

  it("never says to wait when a refusal cannot clear, even for a type that usually can", () => {
    const refused = conflict({ message: "archived", retryable: false });
    const advised = withRetryAdvice(refused, context);
    assert.equal(advised.details.retry?.should_retry, false);
    assert.equal(advised.suggestion, NOT_TRANSIENT_SUGGESTION, "not the catalog's 'wait for it to finish'");
    const worded = withRetryAdvice(
      conflict({ message: "archived", retryable: false, suggestion: "Make a new one." }),
      context,
    );
    assert.equal(worded.suggestion, "Make a new one.");
  });

  it("stops advising retries once attempts are used up", () => {
    const advised = withRetryAdvice(rateLimited({ retryAfterSeconds: 1 }), { ...context, attempt: 3 });
    assert.equal(advised.details.retry?.should_retry, false);
    assert.match(advised.suggestion ?? "", /^Do not retry now: Gave up after 3 of 3 attempts\./);
  });

  it("leaves never-transient types without a retry object, and a client_error with its kind's words", () => {
    assert.equal(
      withRetryAdvice(notFound({ resource_type: "user", identifier: "9" }), context).details.retry,
      undefined,
    );
    const rejected = withRetryAdvice(
      externalServiceError({ kind: "client_error", status_code: 404 }),
      context,
    );
    assert.equal(rejected.details.retry?.should_retry, false);
    assert.match(rejected.suggestion ?? "", /change the arguments/);
  });
});

describe("the toolFailure block", () => {
  it("classes failures: capability, governance, reliability", () => {
    assert.equal(failureClass("not_found"), "capability");
    assert.equal(failureClass("permission_denied"), "governance");
    assert.equal(failureClass("external_service_error", "server_error"), "reliability");
    assert.equal(failureClass("external_service_error", "client_error"), "capability");
    assert.equal(failureClass("internal_error"), "reliability");
  });

  it("gives retryNotBefore only when a retry is advised, from the answer's clock", () => {
    const now = Date.UTC(2025, 1, 3, 12, 0, 0);
    const retry = { should_retry: true, retry_after_seconds: 30, next_attempt: 2, max_attempts: 3 };
    assert.deepEqual(
      toolFailure({ type: "rate_limited", suggestion: "Wait.", referenceId: "ref_1", retry, nowMs: now }),
      {
        class: "reliability",
        code: "rate_limited",
        retryable: true,
        retryNotBefore: "2025-02-03T12:00:30.000Z",
        correlationId: "ref_1",
        agentGuidance: "Wait.",
      },
    );
    const done = toolFailure({
      type: "rate_limited",
      suggestion: "Stop.",
      referenceId: "ref_2",
      retry: { should_retry: false, max_attempts: 3 },
      nowMs: now,
    });
    assert.equal(done.retryable, false);
    assert.equal("retryNotBefore" in done, false);
  });
});
