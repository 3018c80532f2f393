import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { ERROR_TYPES } from "../../src/errors/catalog.js";
import { runBatch } from "../../src/errors/batch.js";
import { notFound } from "../../src/errors/not-found.js";
import { collectComponents } from "../../src/errors/degradation.js";
import { success } from "../../src/errors/handler-result.js";
import { permissionDenied, requirePermission } from "../../src/errors/permission-error.js";
import { stepTo } from "../../src/errors/recovery-steps.js";
import { REFERENCE_ID_PATTERN } from "../../src/errors/reference-id.js";
import { ToolError } from "../../src/errors/tool-error.js";
import { UnknownToolError } from "../../src/errors/unknown-tool-error.js";
import { UpstreamError } from "../../src/errors/upstream-error.js";
import { createLogger } from "../../src/observability/logger.js";
import { createMetrics, type Metrics } from "../../src/observability/metrics.js";
import { defineTool, type AnyToolDefinition } from "../../src/tools/tool-definition.js";
import { createToolRunner, type CallContext, type ToolRunnerOptions } from "../../src/tools/tool-runner.js";
import { errorOf } from "../helpers/network-envelope.js";

type LogLine = Record<string, unknown>;

function setup(tools: readonly AnyToolDefinition[], overrides: Partial<ToolRunnerOptions> = {}) {
  const lines: LogLine[] = [];
  const destination = {
    write(chunk: string) {
      for (const line of chunk.split("\n")) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
    },
  };
  const logger = createLogger({ level: "debug", destination });
  const metrics = createMetrics({ activeSessions: () => 0, defaultMetrics: false });
  const runner = createToolRunner({
    tools,
    logger,
    metrics,
    defaultTimeoutMs: 2_000,
    random: () => 0.5,
    ...overrides,
  });
  return { runner, lines, metrics };
}

function callContext(overrides: Partial<CallContext> = {}): CallContext {
  return { signal: new AbortController().signal, ...overrides };
}

async function counter(metrics: Metrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  assert.ok(metric, `metric ${name} exists`);
  const { values } = await metric.get();
  const match = values.find((value) =>
    Object.entries(labels).every(([key, label]) => value.labels[key] === label),
  );
  return match?.value ?? 0;
}

function asRecord(value: unknown): Record<string, unknown> {
  assert.ok(typeof value === "object" && value !== null);
  return value as Record<string, unknown>;
}

const listUsers = defineTool({
  name: "list_users",
  description: "Lists the ids of all users.",
  annotations: { readOnlyHint: true },
  input: z.object({}),
  output: z.object({ ids: z.array(z.string()) }),
  handler: async () => Promise.resolve({ ids: ["alice", "bob"] }),
});

const getUser = defineTool({
  name: "get_user",
  description: "Gets a user by id.",
  annotations: { readOnlyHint: true },
  input: z.object({ user_id: z.string().describe("The user's id, e.g. alice") }),
  output: z.object({ name: z.string() }),
  handler: async ({ user_id }) => {
    await Promise.resolve();
    if (user_id === "alice") return { name: "Alice" };
    throw notFound({
      resource_type: "user",
      identifier: user_id,
      candidates: ["alice", "bob"],
      recovery_steps: [stepTo(listUsers, { action: "List the users", parameters: {} })],
    });
  },
});

const searchFiles = defineTool({
  name: "search_files",
  description: "Searches files whose names contain the query.",
  annotations: { readOnlyHint: true },
  input: z.object({
    query: z.string().min(2),
    path: z.string().default("."),
    max_results: z.number().int().min(1).max(100).default(10),
    mode: z.enum(["name", "content"]).default("name"),
  }),
  output: z.object({ matches: z.array(z.string()), count: z.number() }),
  handler: async ({ query, max_results }) =>
    Promise.resolve({ matches: [query], count: Math.min(1, max_results) }),
});

describe("tool runner: listing", () => {
  it("computes listings once, with object input schemas and envelope output schemas", () => {
    const { runner } = setup([getUser, listUsers, searchFiles]);
    const first = runner.list();
    assert.equal(runner.list(), first, "the same array every time: computed at construction");
    assert.deepEqual(
      first.map((tool) => tool.name),
      ["get_user", "list_users", "search_files"],
    );
    for (const tool of first) {
      assert.equal(tool.inputSchema.type, "object");
      assert.equal(tool.outputSchema.type, "object");
      assert.ok(Array.isArray(tool.outputSchema.anyOf), "success | error union");
    }
    const search = first.find((tool) => tool.name === "search_files");
    assert.deepEqual((search?.inputSchema.required as string[]).sort(), ["query"]);
    assert.deepEqual(search?.annotations, { readOnlyHint: true });
  });

  it("publishes output schemas that accept both the success and the error envelope", async () => {
    const { runner } = setup([getUser, listUsers]);
    const listing = runner.list().find((tool) => tool.name === "get_user");
    assert.ok(listing);
    const published = z.fromJSONSchema(listing.outputSchema);
    const ok = await runner.call("get_user", { user_id: "alice" }, callContext());
    const missing = await runner.call("get_user", { user_id: "alcie" }, callContext());
    const invalid = await runner.call("get_user", { user_id: ["x"] }, callContext());
    for (const outcome of [ok, missing, invalid]) {
      const parsed = published.safeParse(outcome.envelope);
      assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
    }
    assert.equal(
      published.safeParse({ success: true, data: { name: 3 } }).success,
      false,
      "data schema applies",
    );
  });

  it("refuses two tools with one name", () => {
    assert.throws(() => setup([listUsers, listUsers]), /Two tools are named "list_users"/);
  });
});

describe("tool runner: calls", () => {
  it("returns the success envelope, counts it and logs one info line with the reference id", async () => {
    const { runner, lines, metrics } = setup([getUser, listUsers]);
    const outcome = await runner.call("get_user", { user_id: "alice" }, callContext({ requestId: "req-1" }));
    assert.deepEqual(outcome.envelope, { success: true, data: { name: "Alice" } });
    assert.equal(outcome.isError, false);
    assert.equal(outcome.outcome, "success");
    assert.match(outcome.referenceId, REFERENCE_ID_PATTERN);
    assert.equal(
      await counter(metrics, "mcp_tool_calls_total", { gen_ai_tool_name: "get_user", outcome: "success" }),
      1,
    );
    const callLines = lines.filter((line) => line.reference_id === outcome.referenceId);
    assert.equal(callLines.length, 1);
    assert.equal(callLines[0]?.level, "info");
    assert.equal(callLines[0].tool, "get_user");
    assert.equal(callLines[0].request_id, "req-1");
    assert.equal(typeof callLines[0].duration_ms, "number");
  });

  it("turns wrong type, missing field and out-of-range into one validation_error naming each field", async () => {
    const { runner, lines, metrics } = setup([searchFiles]);
    let ran = false;
    const outcome = await runner.call(
      "search_files",
      { path: 5, max_results: 500, mode: "fuzzy" },
      callContext(),
    );
    ran = lines.some((line) => line.msg === "tool call succeeded");
    assert.equal(ran, false);
    assert.equal(outcome.isError, true);
    assert.equal(outcome.errorType, "validation_error");
    const error = errorOf(outcome.envelope);
    assert.equal(error.type, "validation_error");
    assert.equal(error.code, -32004);
    const fields = error.fields as { field: string; message: string; expected?: string; received?: string }[];
    assert.deepEqual(fields.map((field) => field.field).sort(), ["max_results", "mode", "path", "query"]);
    assert.equal(error.field, fields[0]?.field);
    const range = fields.find((field) => field.field === "max_results");
    assert.equal(range?.expected, "an integer from 1 to 100");
    assert.equal(range.received, "500");
    assert.match(range.message, /must be an integer from 1 to 100, got number 500/);
    const missing = fields.find((field) => field.field === "query");
    assert.match(
      missing?.message ?? "",
      /Missing required argument "query" \(a string of at least 2 characters\)/,
    );
    const wrongType = fields.find((field) => field.field === "path");
    assert.equal(wrongType?.expected, "a string");
    const mode = fields.find((field) => field.field === "mode") as { examples?: string[] } | undefined;
    assert.deepEqual(mode?.examples, ["name", "content"]);
    const suggestion = error.suggestion;
    for (const field of ["query", "path", "max_results", "mode"])
      assert.match(suggestion, new RegExp(`"${field}"`));
    assert.match(suggestion, /call search_files again/);
    assert.equal(error.retry, undefined, "validation errors are not retried");
    assert.equal(
      await counter(metrics, "mcp_tool_errors_total", {
        gen_ai_tool_name: "search_files",
        error_type: "validation_error",
      }),
      1,
    );
    const line = lines.find((entry) => entry.reference_id === error.reference_id);
    assert.equal(line?.level, "warn");
    assert.equal(line.error_type, "validation_error");
  });

  it("spots a misspelt argument name", async () => {
    const { runner } = setup([searchFiles]);
    const outcome = await runner.call("search_files", { qurey: "report" }, callContext());
    const error = errorOf(outcome.envelope);
    assert.deepEqual(
      (error.fields ?? []).map((field) => field.field),
      ["query"],
    );
    assert.match(error.suggestion, /rename "qurey" to "query"/);
  });

  it("supports async refinements, and turns a throwing transform into an internal error", async () => {
    const tool = defineTool({
      name: "checked",
      description: "Validates asynchronously.",
      annotations: {},
      input: z.object({
        name: z
          .string()
          .refine(async (value) => Promise.resolve(value !== "taken"), { error: "that name is taken" }),
        code: z
          .string()
          .optional()
          .transform((value) => {
            if (value === "boom") throw new Error("transform bug");
            return value;
          }),
      }),
      handler: async ({ name }) => Promise.resolve({ name }),
    });
    const { runner, lines } = setup([tool]);
    assert.equal((await runner.call("checked", { name: "free" }, callContext())).outcome, "success");
    const taken = errorOf((await runner.call("checked", { name: "taken" }, callContext())).envelope);
    assert.equal(taken.message, '"name": that name is taken');
    const broken = await runner.call("checked", { name: "free", code: "boom" }, callContext());
    assert.equal(broken.errorType, "internal_error");
    assert.equal(lines.filter((line) => line.reference_id === broken.referenceId).length, 1);
  });

  it("treats missing arguments as an empty object", async () => {
    const { runner } = setup([listUsers]);
    const outcome = await runner.call("list_users", undefined, callContext());
    assert.equal(outcome.outcome, "success");
  });

  it("rejects unknown tools with the nearest names as a protocol error, counted once as unknown and logged", async () => {
    const { runner, metrics, lines } = setup([searchFiles, getUser, listUsers]);
    let referenceId: string | undefined;
    await assert.rejects(
      runner.call("serch_files", {}, callContext({ requestId: "req-1" })),
      (error: unknown) => {
        assert.ok(error instanceof UnknownToolError);
        assert.equal(error.code, -32602);
        assert.deepEqual(error.similarTools, ["search_files"]);
        assert.match(error.message, /Did you mean: "search_files"\?/);
        referenceId = error.referenceId;
        return true;
      },
    );
    const { values } = await metrics.toolCalls.get();
    assert.ok(
      values.every((value) => value.labels.gen_ai_tool_name !== "serch_files"),
      "no label from user input",
    );
    const unknown = { gen_ai_tool_name: "unknown" };
    assert.equal(await counter(metrics, "mcp_tool_calls_total", { ...unknown, outcome: "error" }), 1);
    assert.equal(
      await counter(metrics, "mcp_tool_errors_total", { ...unknown, error_type: "validation_error" }),
      1,
    );
    assert.match(referenceId ?? "", /^ref_/);
    const logged = lines.filter((line) => line.reference_id === referenceId);
    assert.equal(logged.length, 1, "one line carries the reference id");
    assert.equal(logged[0]?.level, "warn");
    assert.equal(logged[0]?.tool, "serch_files");
    assert.equal(logged[0]?.request_id, "req-1");
    assert.equal(logged[0]?.error_type, "validation_error");
  });

  it("shows an unknown name cleaned and cut, never raw, in the message and the JSON-RPC data", async () => {
    const { runner } = setup([searchFiles]);
    const hostile = `search_files\n\u202e${"x".repeat(100_000)}`;
    await assert.rejects(runner.call(hostile, {}, callContext()), (error: unknown) => {
      assert.ok(error instanceof UnknownToolError);
      assert.equal(error.toolName.length, 65, "64 characters and an ellipsis");
      assert.match(error.toolName, /^search_files\?\?x+…$/);
      assert.doesNotMatch(error.message, /[\n\u202e]/);
      assert.match(String(error.referenceId), /^ref_/, "the call's reference id, as logged");
      assert.deepEqual(error.data, {
        tool: error.toolName,
        reference_id: error.referenceId,
        // Compared on its first 129 characters only, it still starts like search_files.
        similar_tools: ["search_files"],
        suggestion: "Call search_files instead, or call tools/list to see every tool.",
      });
      return true;
    });
  });

  it("returns not_found with similar matches and a recovery step that names a served tool", async () => {
    const { runner, metrics } = setup([getUser, listUsers]);
    const outcome = await runner.call("get_user", { user_id: "alcie" }, callContext());
    const error = errorOf(outcome.envelope);
    assert.equal(error.type, "not_found");
    assert.deepEqual(error.similar_matches, ["alice"]);
    assert.equal(error.suggestion, "Did you mean: alice?");
    assert.deepEqual(error.recovery_steps, [
      { step: 1, action: "List the users", tool: "list_users", parameters: {} },
    ]);
    assert.equal(
      await counter(metrics, "mcp_tool_errors_total", {
        gen_ai_tool_name: "get_user",
        error_type: "not_found",
      }),
      1,
    );
    assert.equal(
      await counter(metrics, "mcp_tool_calls_total", { gen_ai_tool_name: "get_user", outcome: "error" }),
      1,
    );
  });

  it("starts every tool × type and tool × outcome series at zero, with catalog labels only", async () => {
    const { metrics } = setup([listUsers]);
    const ofTool = <T extends { labels: Record<string, unknown> }>(values: T[], tool: string) =>
      values.filter((value) => value.labels.gen_ai_tool_name === tool);
    const errors = (await metrics.toolErrors.get()).values;
    assert.deepEqual(
      ofTool(errors, "list_users")
        .map((value) => value.labels.error_type)
        .sort(),
      [...ERROR_TYPES].sort(),
    );
    assert.ok(errors.every((value) => value.value === 0));
    const calls = (await metrics.toolCalls.get()).values;
    assert.deepEqual(
      ofTool(calls, "list_users")
        .map((value) => value.labels.outcome)
        .sort(),
      ["degraded", "error", "success"],
    );
    // Unknown names share one tool label; their only outcome is a validation error.
    assert.deepEqual(
      ofTool(calls, "unknown").map((value) => value.labels.outcome),
      ["error"],
    );
    assert.deepEqual(
      ofTool(errors, "unknown").map((value) => value.labels.error_type),
      ["validation_error"],
    );
    assert.deepEqual(
      [...new Set([...calls, ...errors].map((value) => value.labels.gen_ai_tool_name))].sort(),
      ["list_users", "unknown"],
    );
  });
});

describe("tool runner: masking", () => {
  const leaky = defineTool({
    name: "leaky",
    description: "Fails with secrets in its message.",
    annotations: {},
    input: z.object({}),
    handler: async () => {
      await Promise.resolve();
      throw new Error("cannot open /etc/secret/x with token sk-live-9f8e7d6c");
    },
  });

  it("says written: 0 on every failure of an all-or-nothing tool, masked ones included", async () => {
    const writes = defineTool({
      name: "writes_all_or_nothing",
      description: "Writes in one transaction.",
      annotations: {},
      allOrNothing: true,
      input: z.object({ count: z.number().int() }),
      output: z.object({ written: z.number() }),
      handler: async ({ count }) => {
        await Promise.resolve();
        if (count < 0) throw new Error("disk on fire at /var/lib/db");
        // A count of 0 returns data its output schema rejects, after the write: no claim then.
        return count === 0 ? { written: "none" as unknown as number } : { written: count };
      },
    });
    const { runner } = setup([writes]);
    const invalid = errorOf(
      (await runner.call("writes_all_or_nothing", { count: "x" }, callContext())).envelope,
    );
    assert.deepEqual([invalid.type, invalid.written], ["validation_error", 0]);
    const masked = errorOf(
      (await runner.call("writes_all_or_nothing", { count: -1 }, callContext())).envelope,
    );
    assert.deepEqual([masked.type, masked.written], ["internal_error", 0]);
    assert.doesNotMatch(JSON.stringify(masked), /disk on fire|\/var\/lib/);
    const breach = errorOf(
      (await runner.call("writes_all_or_nothing", { count: 0 }, callContext())).envelope,
    );
    assert.equal(breach.type, "internal_error");
    assert.equal("written" in breach, false, "the handler had returned: it may have written");
  });

  it("masks an internal error; the log keeps the stack under the same reference id", async () => {
    const { runner, lines, metrics } = setup([leaky]);
    const outcome = await runner.call("leaky", {}, callContext());
    const text = JSON.stringify(outcome.envelope);
    assert.doesNotMatch(text, /\/etc\/secret/);
    assert.doesNotMatch(text, /sk-live/);
    assert.doesNotMatch(text, /at .*\.ts:\d+/, "no stack frame");
    const error = errorOf(outcome.envelope);
    assert.equal(error.type, "internal_error");
    assert.equal(error.code, -32603);
    assert.equal(error.message, `An unexpected error occurred (reference ${outcome.referenceId})`);
    assert.deepEqual(Object.keys(error).sort(), ["code", "message", "reference_id", "suggestion", "type"]);
    const line = lines.find((entry) => entry.reference_id === outcome.referenceId);
    assert.ok(line);
    assert.equal(line.level, "error");
    assert.equal(line.error_type, "internal_error");
    const err = line.err as { stack?: string; message?: string };
    assert.match(err.message ?? "", /\/etc\/secret\/x/);
    assert.match(err.stack ?? "", /tool-runner\.test\.ts/);
    assert.equal(
      await counter(metrics, "mcp_tool_errors_total", {
        gen_ai_tool_name: "leaky",
        error_type: "internal_error",
      }),
      1,
    );
  });

  it("treats data that breaks the declared output schema as an internal error", async () => {
    const wrong = defineTool({
      name: "wrong_output",
      description: "Returns the wrong shape.",
      annotations: {},
      input: z.object({}),
      output: z.object({ count: z.number() }),
      handler: async () => Promise.resolve(JSON.parse('{"count":"three"}') as { count: number }),
    });
    const { runner, lines } = setup([wrong]);
    const outcome = await runner.call("wrong_output", {}, callContext());
    assert.equal(outcome.errorType, "internal_error");
    const line = lines.find((entry) => entry.reference_id === outcome.referenceId);
    assert.match(JSON.stringify(line?.err), /output schema rejects/);
  });

  it("strips undeclared fields from data, as the published schema promises", async () => {
    const extra = defineTool({
      name: "extra_fields",
      description: "Returns more than it declares.",
      annotations: {},
      input: z.object({}),
      output: z.object({ name: z.string() }),
      handler: async () => Promise.resolve({ name: "n", password_hash: "x" }),
    });
    const { runner } = setup([extra]);
    const outcome = await runner.call("extra_fields", {}, callContext());
    assert.deepEqual(outcome.envelope, { success: true, data: { name: "n" } });
  });
});

describe("tool runner: time and cancellation", () => {
  it("times a stuck handler out even if it ignores its signal, with retry guidance", async () => {
    let seenSignal: AbortSignal | undefined;
    let seenDeadline = 0;
    const stuck = defineTool({
      name: "stuck",
      description: "Never finishes.",
      annotations: {},
      input: z.object({}),
      timeoutMs: 40,
      handler: async (_args, ctx) => {
        seenSignal = ctx.signal;
        seenDeadline = ctx.deadline;
        return new Promise<never>(() => undefined);
      },
    });
    const { runner, lines, metrics } = setup([stuck], { now: () => 1_000_000 });
    const started = performance.now();
    const outcome = await runner.call("stuck", {}, callContext());
    assert.ok(performance.now() - started < 1_000, "settled by the deadline, not by the handler");
    const error = errorOf(outcome.envelope);
    assert.equal(error.type, "timeout");
    assert.equal(error.code, -32008);
    assert.equal(error.timeout_ms, 40);
    assert.deepEqual(error.retry, {
      should_retry: true,
      retry_after_seconds: 2,
      next_attempt: 2,
      max_attempts: 3,
    });
    assert.match(error.suggestion, /^Wait 2 seconds, then call stuck again\. If it times out again/);
    assert.equal(seenSignal?.aborted, true);
    assert.equal((seenSignal.reason as DOMException).name, "TimeoutError");
    assert.equal(seenDeadline, 1_000_040);
    assert.equal(
      await counter(metrics, "mcp_tool_errors_total", { gen_ai_tool_name: "stuck", error_type: "timeout" }),
      1,
    );
    assert.equal(lines.find((line) => line.reference_id === outcome.referenceId)?.level, "warn");
  });

  it("reports a cancelled call as cancelled, logged at info", async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const waits = defineTool({
      name: "waits",
      description: "Waits for its signal.",
      annotations: {},
      input: z.object({}),
      handler: async (_args, ctx) =>
        new Promise<never>((_resolve, reject) => {
          started();
          ctx.signal.addEventListener("abort", () => {
            reject(ctx.signal.reason as Error);
          });
        }),
    });
    const { runner, lines, metrics } = setup([waits]);
    const controller = new AbortController();
    const call = runner.call("waits", {}, callContext({ signal: controller.signal }));
    await running;
    controller.abort();
    const outcome = await call;
    assert.equal(outcome.errorType, "cancelled");
    assert.equal(errorOf(outcome.envelope).code, -32007);
    assert.equal(lines.find((line) => line.reference_id === outcome.referenceId)?.level, "info");
    assert.equal(
      await counter(metrics, "mcp_tool_errors_total", { gen_ai_tool_name: "waits", error_type: "cancelled" }),
      1,
    );
  });

  it("does not start a handler for a call cancelled before it began", async () => {
    let ran = false;
    const tool = defineTool({
      name: "never",
      description: "Should not run.",
      annotations: {},
      input: z.object({}),
      handler: async () => {
        ran = true;
        return Promise.resolve({});
      },
    });
    const { runner } = setup([tool]);
    const outcome = await runner.call("never", {}, callContext({ signal: AbortSignal.abort() }));
    assert.equal(outcome.errorType, "cancelled");
    assert.equal(ran, false);
  });

  it("forwards increasing progress only, and never fails the call over it", async () => {
    const sent: number[] = [];
    const tool = defineTool({
      name: "progress",
      description: "Reports progress.",
      annotations: {},
      input: z.object({}),
      handler: async (_args, ctx) => {
        await ctx.reportProgress(1, 3);
        await ctx.reportProgress(1, 3);
        await ctx.reportProgress(2, 3, "half way");
        await ctx.reportProgress(3, 3);
        return { done: true };
      },
    });
    const { runner } = setup([tool]);
    const outcome = await runner.call(
      "progress",
      {},
      callContext({
        reportProgress: async (progress) => {
          sent.push(progress);
          if (progress === 3) throw new Error("stream closed");
          return Promise.resolve();
        },
      }),
    );
    assert.deepEqual(sent, [1, 2, 3]);
    assert.equal(outcome.outcome, "success");
  });
});

describe("tool runner: upstream and retry", () => {
  const fetchApiData = defineTool({
    name: "fetch_api_data",
    description: "Fetches data from the API.",
    annotations: { openWorldHint: true },
    input: z.object({ endpoint: z.string(), attempt: z.number().int().min(1).default(1) }),
    handler: async ({ endpoint }) => {
      await Promise.resolve();
      if (endpoint === "limited")
        throw new UpstreamError("example-api", "HTTP 429", { status: 429, retryAfterSeconds: 30 });
      if (endpoint === "broken") throw new UpstreamError("example-api", "HTTP 503", { status: 503 });
      throw new UpstreamError("example-api", "HTTP 404", { status: 404, bodySnippet: "<html>secret</html>" });
    },
  });

  it("turns an upstream 429 into rate_limited with the service's wait and the next attempt", async () => {
    const { runner } = setup([fetchApiData]);
    const outcome = await runner.call("fetch_api_data", { endpoint: "limited" }, callContext());
    const error = errorOf(outcome.envelope);
    assert.equal(error.type, "rate_limited");
    assert.equal(error.code, -32002);
    assert.deepEqual(error.retry, {
      should_retry: true,
      retry_after_seconds: 30,
      next_attempt: 2,
      max_attempts: 3,
    });
    assert.equal(error.suggestion, "Wait 30 seconds, then call fetch_api_data again with attempt=2.");
  });

  it("stops advising retries once attempts are used up", async () => {
    const { runner } = setup([fetchApiData]);
    const outcome = await runner.call("fetch_api_data", { endpoint: "broken", attempt: 3 }, callContext());
    const error = errorOf(outcome.envelope);
    assert.equal(error.type, "external_service_error");
    assert.equal(error.kind, "server_error");
    assert.equal(error.status_code, 503);
    const retry = error.retry;
    assert.equal(retry?.should_retry, false);
    assert.match(String(retry?.reason), /3 of 3 attempts/);
    assert.match(error.suggestion, /^Do not retry now/);
  });

  it("backs off exponentially for 5xx with jitter inside its bounds", async () => {
    const { runner } = setup([fetchApiData], { random: () => 0.999 });
    const outcome = await runner.call("fetch_api_data", { endpoint: "broken", attempt: 2 }, callContext());
    const retry = errorOf(outcome.envelope).retry;
    // attempt 2: plain backoff 4 s; equal jitter keeps it within [2, 4].
    assert.ok((retry?.retry_after_seconds ?? 0) >= 2 && (retry?.retry_after_seconds ?? 0) <= 4);
    assert.equal(retry?.next_attempt, 3);
  });

  it("does not retry an upstream 4xx and never shows its body", async () => {
    const { runner, lines } = setup([fetchApiData]);
    const outcome = await runner.call("fetch_api_data", { endpoint: "missing" }, callContext());
    const error = errorOf(outcome.envelope);
    assert.equal(error.kind, "client_error");
    assert.equal(error.retry?.should_retry, false);
    assert.doesNotMatch(JSON.stringify(outcome.envelope), /secret/);
    const line = lines.find((entry) => entry.reference_id === outcome.referenceId);
    assert.equal(line?.level, "warn");
    assert.equal(line.status_code, 404);
  });
});

describe("tool runner: permissions, degradation, batches, steps", () => {
  it("passes the principal and reports permission_denied", async () => {
    const remove = defineTool({
      name: "delete_project",
      description: "Deletes a project.",
      annotations: { destructiveHint: true },
      input: z.object({ name: z.string() }),
      handler: async ({ name }, ctx) => {
        requirePermission(ctx.principal, "project.delete", { action: "delete", resource: `project/${name}` });
        return Promise.resolve({ deleted: name });
      },
    });
    const { runner } = setup([remove]);
    const denied = await runner.call("delete_project", { name: "alpha" }, callContext());
    const error = errorOf(denied.envelope);
    assert.equal(error.type, "permission_denied");
    assert.equal(error.required_permission, "project.delete");
    assert.equal(error.resource, "project/alpha");
    const allowed = await runner.call(
      "delete_project",
      { name: "alpha" },
      callContext({ principal: { id: "u1", permissions: new Set(["project.delete"]) } }),
    );
    assert.equal(allowed.outcome, "success");
  });

  it("returns a degraded success when an optional component fails, counted as degraded", async () => {
    const weather = defineTool({
      name: "get_weather",
      description: "Current weather with optional forecast.",
      annotations: { readOnlyHint: true },
      input: z.object({ location: z.string() }),
      handler: async () =>
        collectComponents({
          current: { required: true, load: async () => Promise.resolve({ temp_c: 21 }) },
          forecast: {
            required: false,
            load: async () => Promise.reject(new UpstreamError("forecast-api", "HTTP 502", { status: 502 })),
            impact: "7-day forecast unavailable, only current conditions shown",
          },
        }),
    });
    const { runner, metrics, lines } = setup([weather]);
    const outcome = await runner.call("get_weather", { location: "Oslo" }, callContext());
    assert.equal(outcome.outcome, "degraded");
    assert.equal(outcome.isError, false);
    const envelope = asRecord(outcome.envelope);
    assert.equal(envelope.degraded, true);
    assert.deepEqual(envelope.data, { current: { temp_c: 21 } });
    assert.deepEqual((envelope.metadata as Record<string, unknown>).completeness, 0.5);
    assert.equal("failures" in envelope, false, "the raw component errors stay in the log");
    assert.equal(
      await counter(metrics, "mcp_tool_calls_total", {
        gen_ai_tool_name: "get_weather",
        outcome: "degraded",
      }),
      1,
    );
    assert.equal(lines.find((line) => line.reference_id === outcome.referenceId)?.level, "warn");
  });

  it("aggregates a batch, counting one error per failed item", async () => {
    const processFiles = defineTool({
      name: "process_files",
      description: "Processes files.",
      annotations: {},
      input: z.object({ file_paths: z.array(z.string()) }),
      batch: { item: z.object({ size: z.number() }), itemKey: "file" },
      handler: async ({ file_paths }) =>
        runBatch(
          file_paths,
          async (path) => {
            await Promise.resolve();
            if (path.startsWith("missing")) throw notFound({ resource_type: "file", identifier: path });
            return { size: path.length };
          },
          { key: (path) => path, itemKey: "file" },
        ),
    });
    const { runner, metrics } = setup([processFiles]);
    const listing = runner.list()[0];
    assert.ok(listing);
    const published = z.fromJSONSchema(listing.outputSchema);
    const outcome = await runner.call(
      "process_files",
      { file_paths: ["a.txt", "missing.txt", "bb.txt"] },
      callContext(),
    );
    assert.equal(outcome.outcome, "degraded");
    const envelope = asRecord(outcome.envelope);
    assert.deepEqual(envelope.summary, { total: 3, succeeded: 2, failed: 1, success_rate: 0.67 });
    assert.deepEqual(envelope.results, [
      { file: "a.txt", size: 5 },
      { file: "bb.txt", size: 6 },
    ]);
    assert.ok(published.safeParse(outcome.envelope).success);
    assert.equal(
      await counter(metrics, "mcp_tool_errors_total", {
        gen_ai_tool_name: "process_files",
        error_type: "not_found",
      }),
      1,
    );

    const allFailed = await runner.call(
      "process_files",
      { file_paths: ["missing-1", "missing-2"] },
      callContext(),
    );
    assert.equal(allFailed.isError, true);
    assert.equal(allFailed.errorType, "not_found");
    assert.equal(asRecord(allFailed.envelope).success, false);
    assert.ok(published.safeParse(allFailed.envelope).success);
  });

  // A tool whose steps name itself: the input schema is a const of its own, so the step can be
  // typed against it without the tool's type depending on itself.
  const deployInput = z.object({
    app_name: z.string(),
    environment: z.enum(["staging", "production", "development"]),
  });
  const deploy = defineTool({
    name: "deploy_application",
    description: "Deploys an application.",
    annotations: { destructiveHint: false },
    input: deployInput,
    handler: async ({ app_name }) => {
      await Promise.resolve();
      return success(
        { deployment_id: `d-${app_name}` },
        {
          next_steps: [
            {
              action: "Deploy to a made-up environment",
              tool: "deploy_application",
              parameters: { app_name, environment: "moon" },
            },
            { action: "Check status", tool: "check_deployment_status", parameters: { deployment_id: "d-1" } },
            stepTo(
              { name: "deploy_application", input: deployInput },
              { action: "Deploy to staging", parameters: { app_name, environment: "staging" } },
            ),
          ],
        },
      );
    },
  });

  it("drops steps that cannot be executed and logs them at error level", async () => {
    const { runner, lines } = setup([deploy]);
    const outcome = await runner.call(
      "deploy_application",
      { app_name: "shop", environment: "production" },
      callContext(),
    );
    assert.equal(outcome.outcome, "success");
    const envelope = outcome.envelope as { next_steps?: { action: string }[] };
    assert.deepEqual(
      envelope.next_steps?.map((step) => step.action),
      ["Deploy to staging"],
    );
    const line = lines.find((entry) => entry.reference_id === outcome.referenceId);
    assert.equal(line?.level, "error");
    const problems = line.unusable_steps as string[];
    assert.equal(problems.length, 2);
    assert.match(problems[0] ?? "", /environment/);
    assert.match(problems[1] ?? "", /check_deployment_status.*does not serve/);
  });

  it("fails such calls outright in strict mode", async () => {
    const { runner } = setup([deploy], { strictSteps: true });
    const outcome = await runner.call(
      "deploy_application",
      { app_name: "shop", environment: "staging" },
      callContext(),
    );
    assert.equal(outcome.errorType, "internal_error");
  });

  it("keeps a ToolError's recovery steps numbered and checks them too", async () => {
    const tool = defineTool({
      name: "needs_access",
      description: "Always denied.",
      annotations: {},
      input: z.object({}),
      handler: async () => {
        await Promise.resolve();
        throw permissionDenied({
          action: "read",
          resource: "report",
          recovery_steps: [
            { action: "Ask the user for access" },
            { action: "Call a tool that does not exist", tool: "grant_access", parameters: {} },
            { action: "Try again", tool: "needs_access", parameters: {} },
          ],
        });
      },
    });
    const { runner } = setup([tool]);
    const outcome = await runner.call("needs_access", {}, callContext());
    assert.deepEqual(errorOf(outcome.envelope).recovery_steps, [
      { step: 1, action: "Ask the user for access" },
      { step: 2, action: "Try again", tool: "needs_access", parameters: {} },
    ]);
  });

  it("passes a thrown ToolError's own message and suggestion through", async () => {
    const tool = defineTool({
      name: "busy",
      description: "Always busy.",
      annotations: {},
      input: z.object({}),
      handler: async () => {
        await Promise.resolve();
        throw new ToolError("conflict", "Deployment d-9 is in progress", {
          suggestion: "Check deployment d-9 first.",
          retryAfterSeconds: 20,
          details: { resource_type: "deployment", identifier: "d-9" },
        });
      },
    });
    const { runner } = setup([tool]);
    const error = errorOf((await runner.call("busy", {}, callContext())).envelope);
    assert.equal(error.message, "Deployment d-9 is in progress");
    assert.equal(error.code, -32006);
    assert.equal(error.suggestion, "Wait 20 seconds, then call busy again. Check deployment d-9 first.");
    assert.equal(error.retry?.retry_after_seconds, 20);
  });
});
