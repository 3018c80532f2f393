import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { aggregateBatch, batchSuggestion, runBatch } from "../../src/errors/batch.js";
import { collectComponents, completenessMetadata } from "../../src/errors/degradation.js";
import { batchResult, type BatchItemOutcome } from "../../src/errors/handler-result.js";
import { notFound } from "../../src/errors/not-found.js";
import { permissionDenied } from "../../src/errors/permission-error.js";
import { ToolError } from "../../src/errors/tool-error.js";
import { rateLimited } from "../../src/errors/transient-errors.js";
import { UpstreamError } from "../../src/errors/upstream-error.js";

const REF = "ref_0000000000ABCDEF";

function ok(item: string, result: unknown): BatchItemOutcome<unknown> {
  return { ok: true, item, result };
}
function failed(item: string, error: unknown): BatchItemOutcome<unknown> {
  return { ok: false, item, error };
}

describe("aggregateBatch", () => {
  it("builds the documented batch shape (docs/errors.md) for a partial success", () => {
    const { envelope, failures } = aggregateBatch(
      batchResult(
        [
          ok("exists.txt", { lines: 3 }),
          failed("missing.txt", notFound({ resource_type: "file", identifier: "missing.txt" })),
          ok("also.txt", { lines: 1 }),
        ],
        "file",
      ),
      REF,
    );
    assert.equal(envelope.success, true);
    assert.deepEqual(envelope.summary, { total: 3, succeeded: 2, failed: 1, success_rate: 0.67 });
    assert.deepEqual(envelope.results, [
      { file: "exists.txt", lines: 3 },
      { file: "also.txt", lines: 1 },
    ]);
    assert.equal(envelope.errors.length, 1);
    assert.deepEqual(envelope.errors[0], {
      file: "missing.txt",
      error_type: "not_found",
      code: -32000,
      message: "File 'missing.txt' not found",
      suggestion: "No file has this identifier: check it against the ones that exist.",
      recoverable: false,
    });
    assert.deepEqual(envelope.error_summary?.by_type, { not_found: 1 });
    assert.equal(failures.length, 1);
  });

  it("fails only when items failed and none succeeded; an empty batch succeeds", () => {
    const allFailed = aggregateBatch(batchResult([failed("a", new Error("x"))]), REF).envelope;
    assert.equal(allFailed.success, false);
    const empty = aggregateBatch(batchResult([]), REF).envelope;
    assert.equal(empty.success, true);
    assert.deepEqual(empty.summary, { total: 0, succeeded: 0, failed: 0, success_rate: 1 });
    assert.equal(empty.error_summary, undefined);
  });

  it("masks internal item errors with the call's reference id and counts transient ones as recoverable", () => {
    const { envelope } = aggregateBatch(
      batchResult([
        failed("a", new Error("ENOSPC at /var/lib/secret")),
        failed("b", rateLimited({ retryAfterSeconds: 5 })),
        failed("c", new UpstreamError("api", "HTTP 503", { status: 503 })),
      ]),
      REF,
    );
    assert.equal(envelope.errors[0]?.message, `An unexpected error occurred (reference ${REF})`);
    assert.equal(envelope.errors[0].reference_id, REF);
    assert.doesNotMatch(JSON.stringify(envelope), /secret/);
    assert.equal(envelope.error_summary?.recoverable_count, 2);
  });

  it("puts the item key on results even when the result has a field of that name", () => {
    const { envelope } = aggregateBatch(batchResult([ok("x", { item: "other", n: 1 }), ok("y", 5)]), REF);
    assert.deepEqual(envelope.results, [
      { item: "x", n: 1 },
      { item: "y", result: 5 },
    ]);
  });
});

describe("batchSuggestion", () => {
  const fail = (item: string, error: ToolError) => ({ item, error });

  it("names every failing group with its items and the action that fixes it", () => {
    const suggestion = batchSuggestion(
      [
        fail("a.txt", notFound({ resource_type: "file", identifier: "a.txt" })),
        fail("b.txt", notFound({ resource_type: "file", identifier: "b.txt" })),
        fail("c.txt", permissionDenied({ action: "read", resource: "c.txt" })),
      ],
      4,
    );
    assert.equal(
      suggestion,
      "4 items succeeded; do not resubmit them. " +
        "2 not_found (a.txt, b.txt): these do not exist; check the identifiers (a listing or search tool shows valid ones). " +
        "1 permission_denied (c.txt): the caller lacks access; do not retry them, ask the user for access instead.",
    );
  });

  it("says when nothing succeeded and shortens long item lists", () => {
    const items = ["1", "2", "3", "4", "5"].map((item) => fail(item, rateLimited()));
    const suggestion = batchSuggestion(items, 0);
    assert.match(
      suggestion,
      /^No item succeeded\. 5 rate_limited \(1, 2, 3 and 2 more\): rate limited; resubmit only these/,
    );
  });
});

describe("runBatch", () => {
  it("processes every item past failures, in order, within the concurrency limit", async () => {
    let running = 0;
    let peak = 0;
    const batch = await runBatch(
      ["a", "bad", "c", "d", "e"],
      async (item) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        if (item === "bad") throw new Error("no");
        return item.toUpperCase();
      },
      { key: (item) => item, concurrency: 2 },
    );
    assert.equal(peak, 2);
    assert.deepEqual(
      batch.outcomes.map((outcome) => (outcome.ok ? outcome.result : "failed")),
      ["A", "failed", "C", "D", "E"],
    );
  });

  it("stops starting items once its signal aborts", async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    await assert.rejects(
      runBatch(
        ["a", "b", "c"],
        async (item) => {
          seen.push(item);
          controller.abort();
          return Promise.resolve(item);
        },
        { key: (item) => item, concurrency: 1, signal: controller.signal },
      ),
      { name: "AbortError" },
    );
    assert.deepEqual(seen, ["a"]);
  });
});

describe("collectComponents (graceful degradation)", () => {
  it("is complete and not degraded when every part loads", async () => {
    const result = await collectComponents({
      current: { required: true, load: async () => Promise.resolve(21) },
      alerts: { required: false, load: async () => Promise.resolve([]) },
    });
    assert.equal(result.degraded, false);
    assert.deepEqual(result.data, { current: 21, alerts: [] });
    assert.deepEqual(result.metadata, completenessMetadata(["current", "alerts"], ["current", "alerts"]));
    assert.equal(result.metadata.completeness, 1);
  });

  it("degrades with a warning per missing optional part, masking unexpected failures", async () => {
    const result = await collectComponents({
      current: { required: true, load: async () => Promise.resolve(21) },
      forecast: {
        required: false,
        load: async () => Promise.reject(new UpstreamError("forecast-api", "HTTP 503", { status: 503 })),
        impact: "7-day forecast unavailable, only current conditions shown",
      },
      alerts: { required: false, load: async () => Promise.reject(new Error("bug at /srv/alerts.ts")) },
    });
    assert.equal(result.degraded, true);
    assert.deepEqual(result.data, { current: 21 });
    assert.deepEqual(result.warnings, [
      {
        component: "forecast",
        message: "forecast-api failed to handle the request (HTTP 503)",
        impact: "7-day forecast unavailable, only current conditions shown",
        error_type: "external_service_error",
      },
      {
        component: "alerts",
        message: "alerts is unavailable because of an unexpected error",
        impact: "alerts is missing from the result",
        error_type: "internal_error",
      },
    ]);
    assert.equal(result.metadata?.completeness, 0.33);
    assert.equal(result.failures?.length, 2, "the originals are kept for the runner's log");
  });

  it("fails with the required part's own error", async () => {
    const failure = new UpstreamError("weather-api", "down", { status: 503 });
    await assert.rejects(
      collectComponents({
        current: { required: true, load: async () => Promise.reject(failure) },
        forecast: { required: false, load: async () => Promise.resolve([]) },
      }),
      (error: unknown) => error === failure,
    );
  });
});
