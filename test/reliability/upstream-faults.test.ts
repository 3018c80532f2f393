import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  closedPort,
  faults,
  startFaultServer,
  type Fault,
  type FaultServer,
} from "../helpers/fault-server.js";
import type { Envelope } from "../../src/errors/envelope.js";
import { connectClient } from "../helpers/mcp-client.js";
import { errorOf, type EnvelopeCall } from "../helpers/network-envelope.js";
import {
  healthStatus,
  inspectToolResult,
  scratchDirs,
  type ToolOutcome,
} from "../helpers/reliability-http.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";
import { startWeatherFake, type WeatherFake } from "../helpers/weather-fake.js";

/**
 * Upstreams down, slow, flapping, rate limiting and answering garbage: every fault must come back
 * as a classified error with a suggestion and, where a retry can help, retry guidance — within
 * the tool's time budget, never as a hang.
 */

const TOOL_TIMEOUT_MS = 2_000;
// "Did not hang": the budget plus a generous allowance for a loaded machine.
const HANG_BOUND_MS = TOOL_TIMEOUT_MS + 4_000;

/** A call's outcome and envelope (an EnvelopeCall, so errorOf reads it), and how long it took. */
interface Timed extends EnvelopeCall {
  readonly outcome: ToolOutcome;
  readonly elapsedMs: number;
}

async function timedCall(client: Client, name: string, args: Record<string, unknown>): Promise<Timed> {
  const started = Date.now();
  const result = await client.callTool({ name, arguments: args }, undefined, { timeout: 30_000 });
  const elapsedMs = Date.now() - started;
  assert.ok(elapsedMs < HANG_BOUND_MS, `${name} took ${elapsedMs} ms, past the tool timeout`);
  return {
    outcome: inspectToolResult(result),
    envelope: result.structuredContent as Envelope,
    isError: result.isError === true,
    elapsedMs,
  };
}

/** A transient failure: retry guidance that says when, and with which attempt. */
function assertRetryable(error: any, nextAttempt = 2): void {
  assert.equal(error.retry?.should_retry, true, `should_retry: ${JSON.stringify(error)}`);
  assert.equal(typeof error.retry?.retry_after_seconds, "number");
  assert.ok(error.retry.retry_after_seconds >= 0, "retry_after_seconds is not negative");
  assert.equal(error.retry?.next_attempt, nextAttempt);
}

/** A failure retrying cannot fix: says so, with a reason. */
function assertNotRetryable(error: any): void {
  assert.equal(error.retry?.should_retry, false, `should_retry: ${JSON.stringify(error)}`);
}

const faultsSurvived: string[] = [];
const dataDirs = scratchDirs("resilient-mcp-upfault");

/** The product in front of a fault server (the API) and a weather fake, with an SDK client. */
async function startBehindFakes(env: Record<string, string>) {
  const upstream = await startFaultServer();
  const weather = await startWeatherFake();
  const server = await startServer({
    DATA_DIR: dataDirs.make(),
    UPSTREAM_BASE_URL: `${upstream.url}/api`,
    WEATHER_GEOCODING_URL: weather.url,
    WEATHER_FORECAST_URL: weather.url,
    WEATHER_ALERTS_URL: weather.url,
    ...env,
  });
  const { client } = await connectClient(server.mcpUrl);
  const stop = async () => {
    await client.close();
    await server.close();
    await upstream.close();
    await weather.close();
  };
  return { upstream, weather, server, client, stop };
}

describe("upstream faults", { timeout: 90_000 }, () => {
  describe("upstream and weather services down (connection refused)", () => {
    let server: RunningServer;
    let client: Client;

    before(async () => {
      const down = `http://127.0.0.1:${await closedPort()}`;
      server = await startServer({
        DATA_DIR: dataDirs.make(),
        UPSTREAM_BASE_URL: down,
        WEATHER_GEOCODING_URL: down,
        WEATHER_FORECAST_URL: down,
        WEATHER_ALERTS_URL: down,
        UPSTREAM_MAX_RETRIES: "1",
        UPSTREAM_BREAKER_FAILURES: "3",
        UPSTREAM_BREAKER_HALF_OPEN_MS: "60000",
        TOOL_TIMEOUT_MS: String(TOOL_TIMEOUT_MS),
      });
      ({ client } = await connectClient(server.mcpUrl));
    });
    after(async () => {
      await client.close();
      await server.close();
    });

    it("fetch_api_data: connection_failed with retry guidance, then circuit_open, fast", async () => {
      const first = errorOf(await timedCall(client, "fetch_api_data", { endpoint: "users/1" }));
      assert.equal(first.type, "external_service_error");
      assert.equal(first.kind, "connection_failed");
      assertRetryable(first);
      const kinds: string[] = [first.kind];
      for (let i = 0; i < 4; i += 1) {
        const error = errorOf(await timedCall(client, "fetch_api_data", { endpoint: "users/1", attempt: 2 }));
        assert.equal(error.type, "external_service_error");
        kinds.push(String(error.kind));
        if (error.retry?.should_retry === true) assertRetryable(error, 3);
      }
      assert.ok(kinds.includes("circuit_open"), `the circuit opened: ${kinds.join(", ")}`);
      faultsSurvived.push("upstream refused → connection_failed, then circuit_open");
    });

    it("get_weather: the lookup cannot reach the service → external_service_error with retry", async () => {
      const error = errorOf(await timedCall(client, "get_weather", { location: "Berlin" }));
      assert.equal(error.type, "external_service_error");
      assert.ok(["connection_failed", "circuit_open"].includes(String(error.kind)), String(error.kind));
      assertRetryable(error);
      faultsSurvived.push("weather refused → external_service_error with retry");
    });

    it("stays healthy", async () => {
      assert.equal(await healthStatus(server.url), 200);
    });
  });

  describe("upstream slow, flapping, rate limiting, answering garbage", () => {
    let upstream: FaultServer;
    let weather: WeatherFake;
    let server: RunningServer;
    let client: Client;
    let stop: () => Promise<void>;

    before(async () => {
      ({ upstream, weather, server, client, stop } = await startBehindFakes({
        UPSTREAM_TIMEOUT_MS: "300",
        UPSTREAM_MAX_RETRIES: "1",
        UPSTREAM_BREAKER_FAILURES: "1000",
        WEATHER_TIMEOUT_MS: "300",
        TOOL_TIMEOUT_MS: String(TOOL_TIMEOUT_MS),
      }));
    });
    after(() => stop());

    const fetchWith = async (fault: Fault, attempt = 1) => {
      upstream.on("/api/fault", fault);
      return timedCall(client, "fetch_api_data", { endpoint: "fault", attempt });
    };

    const retryable: [string, Fault, string, string][] = [
      ["slow (5 s, timeout 300 ms)", faults.slow(5_000, faults.ok({})), "external_service_error", "timeout"],
      ["slow body (headers, then 5 s)", faults.slowBody(5_000, {}), "external_service_error", "timeout"],
      ["HTTP 500", faults.status(500), "external_service_error", "server_error"],
      ["HTTP 503", faults.unavailable(), "external_service_error", "server_error"],
      ["connection reset", faults.reset(), "external_service_error", "connection_failed"],
      // The body ends long before its Content-Length: a broken answer, worth another try.
      [
        "lying Content-Length",
        faults.lyingLength(5_000, '{"a":1}'),
        "external_service_error",
        "server_error",
      ],
      ["socket closed without answer", faults.destroy(), "external_service_error", "connection_failed"],
      ["HTTP 429 Retry-After: 3", faults.rateLimited(3), "rate_limited", ""],
    ];
    for (const [label, fault, type, kind] of retryable) {
      it(`fetch_api_data, upstream ${label}: ${type}${kind ? `/${kind}` : ""}, retry guided`, async () => {
        const error = errorOf(await fetchWith(fault));
        assert.equal(error.type, type);
        if (kind !== "") assert.equal(error.kind, kind);
        assertRetryable(error);
        if (type === "rate_limited") assert.equal(error.retry?.retry_after_seconds, 3);
        faultsSurvived.push(`upstream ${label} → ${type}${kind ? `/${kind}` : ""}`);
      });
    }

    const final: [string, Fault, string][] = [
      ["invalid JSON", faults.invalidJson(), "bad_response"],
      ["oversized body (5 MB, chunked)", faults.oversized(5_000_000, "absent"), "bad_response"],
      ["HTTP 404", faults.status(404), "client_error"],
    ];
    for (const [label, fault, kind] of final) {
      it(`fetch_api_data, upstream ${label}: ${kind}, told not to retry`, async () => {
        const error = errorOf(await fetchWith(fault));
        assert.equal(error.type, "external_service_error");
        assert.equal(error.kind, kind);
        assertNotRetryable(error);
        faultsSurvived.push(`upstream ${label} → external_service_error/${kind}`);
      });
    }

    it("fetch_api_data, flapping upstream: following the retry guidance recovers", async () => {
      // Three failures, then healthy: the first call (with its internal retry) fails twice.
      upstream.on("/api/flapping", faults.flapping(3, faults.unavailable(), faults.ok({ id: 7 })));
      let attempt = 1;
      const seen: string[] = [];
      for (;;) {
        const call = await timedCall(client, "fetch_api_data", { endpoint: "flapping", attempt });
        if (call.outcome.kind === "success") break;
        const error = errorOf(call);
        seen.push(`${error.type}/${String(error.kind)}`);
        assertRetryable(error, attempt + 1);
        assert.ok(attempt < 3, `recovered within the 3 attempts the guidance allows: ${seen.join(", ")}`);
        // Waits as told (capped, to keep the suite short; the guidance is 1-4 s here).
        await delay(Math.min(error.retry?.retry_after_seconds ?? 0, 1) * 1000);
        attempt = error.retry?.next_attempt ?? attempt + 1;
      }
      assert.ok(seen.length >= 1, "the upstream did fail first");
      faultsSurvived.push("upstream flapping (3×503 then ok) → retried as guided, recovered");
    });

    it("get_weather, geocoding slow: external_service_error/timeout with retry", async () => {
      weather.fail("geocoding", faults.slow(5_000, faults.ok({})));
      try {
        const error = errorOf(await timedCall(client, "get_weather", { location: "Berlin" }));
        assert.equal(error.type, "external_service_error");
        assert.equal(error.kind, "timeout");
        assertRetryable(error);
      } finally {
        weather.heal();
      }
      faultsSurvived.push("weather geocoding slow → external_service_error/timeout");
    });

    it("get_weather, current conditions 503: the call fails with retry guidance", async () => {
      weather.fail("current", faults.unavailable());
      try {
        const error = errorOf(await timedCall(client, "get_weather", { location: "Berlin" }));
        assert.equal(error.type, "external_service_error");
        assert.equal(error.kind, "server_error");
        assertRetryable(error);
      } finally {
        weather.heal();
      }
      faultsSurvived.push("weather current 503 → external_service_error/server_error");
    });

    it("get_weather, forecast slow and alerts down: degraded success that says what is missing", async () => {
      weather.fail("forecast", faults.slow(5_000, faults.ok({})));
      weather.fail("alerts", faults.reset());
      try {
        const started = Date.now();
        const result: any = await client.callTool({
          name: "get_weather",
          arguments: { location: "Miami" },
        });
        assert.ok(Date.now() - started < HANG_BOUND_MS, "answered within the tool timeout");
        assert.equal(inspectToolResult(result).kind, "success");
        const envelope = result.structuredContent;
        assert.equal(envelope.degraded, true);
        const components = (envelope.warnings as any[]).map((warning) => String(warning.component)).sort();
        assert.deepEqual(components, ["alerts", "forecast"]);
        for (const warning of envelope.warnings)
          assert.ok(String(warning.impact).length > 0, "warning has an impact");
        assert.ok(envelope.metadata.completeness < 1, "completeness below 1");
      } finally {
        weather.heal();
      }
      faultsSurvived.push("weather forecast slow + alerts reset → degraded success with warnings");
    });

    it("stays healthy and reports no internal error", async () => {
      assert.equal(await healthStatus(server.url), 200);
      assert.equal(server.logs.find({ error_type: "internal_error" }).length, 0);
    });
  });

  describe("upstream slower than the tool's own budget", () => {
    let upstream: FaultServer;
    let weather: WeatherFake;
    let client: Client;
    let stop: () => Promise<void>;
    const BUDGET_MS = 800;

    before(async () => {
      ({ upstream, weather, client, stop } = await startBehindFakes({
        UPSTREAM_TIMEOUT_MS: "10000",
        WEATHER_TIMEOUT_MS: "10000",
        TOOL_TIMEOUT_MS: String(BUDGET_MS),
      }));
    });
    after(() => stop());

    it("fetch_api_data: answered as timeout at the budget; the upstream request is abandoned", async () => {
      upstream.on("/api/glacial", faults.slow(8_000, faults.ok({})));
      const call = await timedCall(client, "fetch_api_data", { endpoint: "glacial" });
      const error = errorOf(call);
      assert.ok(["timeout", "external_service_error"].includes(error.type), error.type);
      assert.equal(error.retry?.should_retry, true);
      assert.ok(
        call.elapsedMs >= BUDGET_MS - 50,
        `answered at the budget, not before (${call.elapsedMs} ms)`,
      );
      await upstream.idle();
      assert.equal(upstream.requests.at(-1)?.state, "aborted", "the upstream request was cancelled");
      faultsSurvived.push(`upstream 8 s vs TOOL_TIMEOUT_MS=${BUDGET_MS} → ${error.type}, request aborted`);
    });

    it("get_weather: current conditions hanging → answered at the budget with retry guidance", async () => {
      weather.fail("current", faults.slow(8_000, faults.ok({})));
      try {
        const error = errorOf(await timedCall(client, "get_weather", { location: "Berlin" }));
        assert.ok(["timeout", "external_service_error"].includes(error.type), error.type);
        assert.equal(error.retry?.should_retry, true);
      } finally {
        weather.heal();
      }
      faultsSurvived.push(`weather current 8 s vs TOOL_TIMEOUT_MS=${BUDGET_MS} → timeout with retry`);
    });
  });

  after(() => {
    dataDirs.removeAll();
    console.log(`upstream faults survived ${JSON.stringify(faultsSurvived)}`);
  });
});
