import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backoffSeconds, parseRetryAfter, retryGuidance } from "../../src/errors/retry-guidance.js";

const NOW = Date.UTC(2025, 1, 3, 12, 0, 0);

describe("parseRetryAfter", () => {
  it("reads delay-seconds", () => {
    assert.equal(parseRetryAfter("120", NOW), 120);
    assert.equal(parseRetryAfter(" 5 ", NOW), 5);
    assert.equal(parseRetryAfter("0", NOW), 0);
  });

  it("reads HTTP-dates relative to the clock it is given, in all three RFC 9110 forms", () => {
    assert.equal(parseRetryAfter("Mon, 03 Feb 2025 12:01:30 GMT", NOW), 90);
    assert.equal(parseRetryAfter("Monday, 03-Feb-25 12:00:10 GMT", NOW), 10);
    assert.equal(parseRetryAfter("Mon Feb  3 12:00:45 2025", NOW), 45);
    assert.equal(parseRetryAfter("Mon, 03 Feb 2025 11:00:00 GMT", NOW), 0, "a past date means now");
  });

  it("rejects garbage and negative values", () => {
    for (const value of [
      "soon",
      "",
      "1.5",
      "-5",
      "5s",
      "Mon, 31 Feb 2025 12:00:00 GMT",
      "Mon, 03 Feb 2025 25:00:00 GMT",
    ]) {
      assert.equal(parseRetryAfter(value, NOW), undefined, JSON.stringify(value));
    }
    assert.equal(parseRetryAfter(null, NOW), undefined);
    assert.equal(parseRetryAfter(undefined, NOW), undefined);
    assert.equal(parseRetryAfter("99999999999999999999", NOW), undefined, "beyond safe integers");
  });
});

describe("backoffSeconds", () => {
  it("doubles from the base up to the cap", () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 50].map((attempt) => backoffSeconds(attempt)),
      [2, 4, 8, 16, 30, 30, 30],
    );
    assert.deepEqual(
      [1, 2, 3].map((attempt) => backoffSeconds(attempt, { baseSeconds: 1, capSeconds: 3 })),
      [1, 2, 3],
    );
  });

  it("keeps equal jitter within [half, whole] of the plain value, and never below 1 s", () => {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const plain = backoffSeconds(attempt);
      for (const draw of [0, 0.25, 0.5, 0.999]) {
        const jittered = backoffSeconds(attempt, { jitter: "equal", random: () => draw });
        assert.ok(
          jittered >= Math.max(1, Math.floor(plain / 2)) && jittered <= plain,
          `${attempt}/${draw}: ${jittered}`,
        );
      }
    }
    assert.equal(backoffSeconds(1, { baseSeconds: 0.1 }), 1);
  });
});

describe("retryGuidance", () => {
  it("says when to come back and which attempt is next", () => {
    assert.deepEqual(retryGuidance({ retryable: true, attempt: 1 }), {
      should_retry: true,
      retry_after_seconds: 2,
      next_attempt: 2,
      max_attempts: 3,
    });
  });

  it("prefers the service's Retry-After over backoff", () => {
    assert.equal(
      retryGuidance({ retryable: true, attempt: 2, retryAfterSeconds: 60 }).retry_after_seconds,
      60,
    );
  });

  it("stops once attempts are used up", () => {
    const guidance = retryGuidance({ retryable: true, attempt: 3, maxAttempts: 3 });
    assert.equal(guidance.should_retry, false);
    assert.equal(guidance.next_attempt, undefined);
    assert.match(guidance.reason ?? "", /3 of 3/);
  });

  it("never retries permanent failures", () => {
    const guidance = retryGuidance({ retryable: false, reason: "Client errors are not retryable" });
    assert.deepEqual(guidance, {
      should_retry: false,
      max_attempts: 3,
      reason: "Client errors are not retryable",
    });
  });
});
