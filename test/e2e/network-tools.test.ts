import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { after, afterEach, before, describe, it } from "node:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { z } from "zod";
import type { getWeatherOutput } from "../../src/tools/get-weather.js";
import { closedPort, faults, startFaultServer, type FaultServer } from "../helpers/fault-server.js";
import { connectClient } from "../helpers/mcp-client.js";
import { callForEnvelope, counterValue, errorOf, successOf } from "../helpers/network-envelope.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";
import { MIAMI_HURRICANE, startWeatherFake, type WeatherFake } from "../helpers/weather-fake.js";

type WeatherData = z.output<typeof getWeatherOutput>;

const SEED_RETRY_KEYS = ["max_attempts", "next_attempt", "retry_after_seconds", "should_retry"];
const RETRY_SUGGESTION = /^Wait (\d+) seconds?, then call fetch_api_data again with attempt=(\d+)\./;
// Bounds every test: a hung upstream call must fail the run, not stall it.
const BOUNDED = { timeout: 20_000 };

/** Environment pointing every upstream at loopback fakes, with limits small enough for tests. */
function networkEnv(upstreamUrl: string, weatherUrl: string, overrides: Record<string, string> = {}) {
  return {
    UPSTREAM_BASE_URL: upstreamUrl,
    UPSTREAM_TIMEOUT_MS: "300",
    UPSTREAM_MAX_BODY_BYTES: "4096",
    UPSTREAM_MAX_RETRIES: "1",
    // High, so the fault tests below never open the circuit; the circuit has its own server.
    UPSTREAM_BREAKER_FAILURES: "1000",
    UPSTREAM_BREAKER_HALF_OPEN_MS: "60000",
    WEATHER_GEOCODING_URL: weatherUrl,
    WEATHER_FORECAST_URL: weatherUrl,
    WEATHER_ALERTS_URL: weatherUrl,
    WEATHER_TIMEOUT_MS: "1000",
    WEATHER_MAX_RETRIES: "1",
    // The weather APIs have breakers of their own, as high for the same reason.
    WEATHER_BREAKER_FAILURES: "1000",
    WEATHER_BREAKER_HALF_OPEN_MS: "60000",
    ...overrides,
  };
}

describe("network tools over MCP against loopback upstreams", BOUNDED, () => {
  let upstream: FaultServer;
  let weatherFake: WeatherFake;
  let server: RunningServer;
  let client: Client;

  before(async () => {
    upstream = await startFaultServer();
    weatherFake = await startWeatherFake();
    server = await startServer(networkEnv(`${upstream.url}/api`, weatherFake.url));
    ({ client } = await connectClient(server.mcpUrl));
  });
  after(async () => {
    await client.close();
    await server.close();
    await upstream.close();
    await weatherFake.close();
  });

  const fetchApi = (args: Record<string, unknown>) => callForEnvelope(client, "fetch_api_data", args);
  const getWeather = (args: Record<string, unknown>) => callForEnvelope(client, "get_weather", args);

  describe("tools/list", () => {
    it("lists both tools with truthful annotations and an output schema", async () => {
      const { tools } = await client.listTools();
      for (const name of ["fetch_api_data", "get_weather"]) {
        const tool = tools.find((candidate) => candidate.name === name);
        assert.ok(tool, `${name} is not listed`);
        assert.deepEqual(tool.annotations, { readOnlyHint: true, idempotentHint: true, openWorldHint: true });
        assert.equal(tool.outputSchema?.type, "object");
      }
      const fetchTool = tools.find((tool) => tool.name === "fetch_api_data");
      assert.deepEqual(fetchTool?.inputSchema.required, ["endpoint"]);
    });
  });

  describe("fetch_api_data (Pattern 2)", () => {
    it("returns endpoint, status, attempt and the parsed body on 200, below the base path", async () => {
      upstream.on("/api/posts", faults.ok([{ id: 1, title: "hello" }]));
      const call = await fetchApi({ endpoint: "posts?userId=1", attempt: 2 });
      assert.deepEqual(successOf(call).data, {
        endpoint: "posts?userId=1",
        status: 200,
        attempt: 2,
        body: [{ id: 1, title: "hello" }],
      });
      assert.equal(upstream.requests.at(-1)?.target, "/api/posts?userId=1");
    });

    it("test_retry_info_for_transient_errors: a 429 is rate_limited with the service's Retry-After", async () => {
      upstream.on("/api/limited", faults.rateLimited(7));
      const before = upstream.count("/api/limited");
      const call = await fetchApi({ endpoint: "limited" });
      const error = errorOf(call);
      assert.equal(error.type, "rate_limited");
      assert.equal(error.code, -32002);
      assert.equal(error.status_code, 429);
      assert.equal(error.service, "upstream-api");
      assert.deepEqual(error.retry, {
        should_retry: true,
        retry_after_seconds: 7,
        next_attempt: 2,
        max_attempts: 3,
      });
      assert.equal(error.suggestion, "Wait 7 seconds, then call fetch_api_data again with attempt=2.");
      // The service asked us to slow down: the client must not hammer it with its own retry.
      assert.equal(upstream.count("/api/limited") - before, 1);
      // A human can find the call in the log by its reference id.
      assert.match(error.reference_id, /^ref_/);
      const logged = server.logs.find({ reference_id: error.reference_id, tool: "fetch_api_data" });
      assert.equal(logged.length, 1);
      assert.equal(logged[0]?.error_type, "rate_limited");
    });

    it("reads a Retry-After given as an HTTP-date", async () => {
      upstream.on("/api/limited-date", faults.rateLimited(new Date(Date.now() + 90_000)));
      const error = errorOf(await fetchApi({ endpoint: "limited-date" }));
      assert.equal(error.type, "rate_limited");
      const wait = error.retry?.retry_after_seconds ?? -1;
      // HTTP-dates have whole seconds, and a moment passes between sending and reading.
      assert.ok(wait >= 88 && wait <= 91, `retry_after_seconds ${wait} is not ~90`);
      assert.match(
        error.suggestion,
        new RegExp(`^Wait ${wait} seconds, then call fetch_api_data again with attempt=2\\.`),
      );
    });

    it("a 500 is a server_error with exponential backoff, the seed's retry fields and the next attempt", async () => {
      upstream.on("/api/broken", faults.status(500));
      const error = errorOf(await fetchApi({ endpoint: "broken" }));
      assert.equal(error.type, "external_service_error");
      assert.equal(error.code, -32003);
      assert.equal(error.kind, "server_error");
      assert.equal(error.status_code, 500);
      assert.deepEqual(Object.keys(error.retry ?? {}).sort(), SEED_RETRY_KEYS);
      assert.equal(error.retry?.should_retry, true);
      assert.equal(error.retry?.next_attempt, 2);
      assert.equal(error.retry?.max_attempts, 3);
      // Attempt 1: 2 s of backoff with equal jitter, so 1 to 2 s.
      const wait = error.retry?.retry_after_seconds ?? -1;
      assert.ok(wait >= 1 && wait <= 2, `retry_after_seconds ${wait}`);
      const [, said, next] = RETRY_SUGGESTION.exec(error.suggestion) ?? [];
      assert.equal(Number(said), wait);
      assert.equal(next, "2");
      assert.doesNotMatch(JSON.stringify(error), /fault server answered/);
    });

    it("a 503 on attempt 2 backs off longer and counts on to attempt 3", async () => {
      upstream.on("/api/unavailable", faults.unavailable());
      const error = errorOf(await fetchApi({ endpoint: "unavailable", attempt: 2 }));
      assert.equal(error.kind, "server_error");
      assert.equal(error.status_code, 503);
      assert.equal(error.retry?.next_attempt, 3);
      // Attempt 2: 4 s of backoff with equal jitter, so 2 to 4 s: longer than after attempt 1.
      const wait = error.retry?.retry_after_seconds ?? -1;
      assert.ok(wait >= 2 && wait <= 4, `retry_after_seconds ${wait}`);
      assert.match(error.suggestion, /with attempt=3\./);
    });

    it("on the last attempt (3 of 3) says not to retry, with a reason", async () => {
      upstream.on("/api/unavailable", faults.unavailable());
      const error = errorOf(await fetchApi({ endpoint: "unavailable", attempt: 3 }));
      assert.equal(error.kind, "server_error");
      assert.equal(error.retry?.should_retry, false);
      assert.equal(error.retry?.max_attempts, 3);
      assert.equal(error.retry?.next_attempt, undefined);
      assert.equal(error.retry?.retry_after_seconds, undefined);
      assert.match(error.retry?.reason ?? "", /3 of 3 attempts/);
      assert.match(error.suggestion, /^Do not retry now/);
    });

    it("an upstream slower than UPSTREAM_TIMEOUT_MS is a timeout, answered without waiting for it", async () => {
      upstream.on("/api/slow", faults.slow(5_000, faults.ok({ late: true })));
      const started = Date.now();
      const error = errorOf(await fetchApi({ endpoint: "slow" }));
      const elapsed = Date.now() - started;
      assert.equal(error.type, "external_service_error");
      assert.equal(error.kind, "timeout");
      assert.equal(error.retry?.should_retry, true);
      assert.equal(error.retry?.next_attempt, 2);
      // Two attempts of 300 ms at most (one internal retry), far below the 5 s the upstream takes.
      assert.ok(elapsed < 2_500, `took ${elapsed} ms`);
    });

    it("invalid JSON in a 200 is a bad_response that is not retryable", async () => {
      upstream.on("/api/garbage", faults.invalidJson());
      const error = errorOf(await fetchApi({ endpoint: "garbage" }));
      assert.equal(error.kind, "bad_response");
      assert.equal(error.retry?.should_retry, false);
      assert.ok(error.retry?.reason);
      assert.doesNotMatch(JSON.stringify(error), /temperature/);
    });

    it("a body over UPSTREAM_MAX_BODY_BYTES is refused as bad_response, declared or not", async () => {
      for (const contentLength of ["honest", "absent"] as const) {
        upstream.on("/api/huge", faults.oversized(100_000, contentLength));
        const error = errorOf(await fetchApi({ endpoint: "huge" }));
        assert.equal(error.kind, "bad_response", contentLength);
        assert.equal(error.retry?.should_retry, false);
      }
    });

    it("a 404 is a client_error: not retryable, and the suggestion says to change the endpoint", async () => {
      upstream.on("/api/users/999", faults.status(404));
      const before = upstream.count("/api/users/999");
      const error = errorOf(await fetchApi({ endpoint: "users/999" }));
      assert.equal(error.type, "external_service_error");
      assert.equal(error.kind, "client_error");
      assert.equal(error.status_code, 404);
      assert.equal(error.retry?.should_retry, false);
      assert.match(error.retry?.reason ?? "", /not transient/);
      assert.match(error.suggestion, /no resource at "users\/999".*corrected endpoint and attempt=1/);
      assert.equal(upstream.count("/api/users/999") - before, 1);
    });

    it("refuses endpoints that would leave the API, naming the endpoint field, before any request", async () => {
      const before = upstream.count();
      for (const endpoint of ["https://evil.example/x", "//evil.example/x", "../admin", "a\\b"]) {
        const error = errorOf(await fetchApi({ endpoint }));
        assert.equal(error.type, "validation_error", endpoint);
        assert.equal(error.field, "endpoint", endpoint);
        assert.equal(error.received, endpoint);
      }
      for (const [args, field] of [
        [{ endpoint: "" }, "endpoint"],
        [{ endpoint: "users/1", attempt: 11 }, "attempt"],
        [{ endpoint: "users/1", attempt: 0 }, "attempt"],
      ] as const) {
        const error = errorOf(await fetchApi(args));
        assert.equal(error.type, "validation_error");
        assert.equal(error.field, field);
      }
      assert.equal(upstream.count(), before);
    });

    it("/metrics counts upstream requests by outcome and tool errors by type", async () => {
      upstream.on("/api/limited", faults.rateLimited(3));
      upstream.on("/api/ok", faults.ok({ fine: true }));
      const series = {
        limitedRequests: [
          "upstream_requests_total",
          { upstream_service: "upstream-api", outcome: "rate_limited" },
        ],
        okRequests: ["upstream_requests_total", { upstream_service: "upstream-api", outcome: "success" }],
        limitedErrors: [
          "mcp_tool_errors_total",
          { gen_ai_tool_name: "fetch_api_data", error_type: "rate_limited" },
        ],
        errorCalls: ["mcp_tool_calls_total", { gen_ai_tool_name: "fetch_api_data", outcome: "error" }],
      } as const;
      const read = async () =>
        Object.fromEntries(
          await Promise.all(
            Object.entries(series).map(
              async ([key, [name, labels]]) => [key, await counterValue(server.url, name, labels)] as const,
            ),
          ),
        );
      const before = await read();
      errorOf(await fetchApi({ endpoint: "limited" }));
      errorOf(await fetchApi({ endpoint: "limited" }));
      successOf(await fetchApi({ endpoint: "ok" }));
      const afterCalls = await read();
      assert.equal(afterCalls.limitedRequests, (before.limitedRequests ?? 0) + 2);
      assert.equal(afterCalls.limitedErrors, (before.limitedErrors ?? 0) + 2);
      assert.equal(afterCalls.errorCalls, (before.errorCalls ?? 0) + 2);
      assert.equal(afterCalls.okRequests, (before.okRequests ?? 0) + 1);
    });
  });

  describe("get_weather (Pattern 3)", () => {
    afterEach(() => {
      weatherFake.heal();
    });

    it("full success: current, 7-day forecast and alerts, completeness 1", async () => {
      const result = successOf(await getWeather({ location: "Miami" }));
      const data = result.data as WeatherData;
      assert.equal(data.location.label, "Miami, Florida, United States");
      assert.equal(data.current.temperature_c, 21.5);
      assert.equal(data.current.conditions, "Partly cloudy");
      assert.equal(data.forecast?.days.length, 7);
      assert.deepEqual(data.alerts, [MIAMI_HURRICANE]);
      assert.equal(data.alerts_note, undefined);
      assert.equal(data.other_matches, undefined);
      assert.equal(result.degraded, false);
      assert.deepEqual(result.warnings, []);
      assert.deepEqual(result.metadata, {
        components_requested: ["current", "forecast", "alerts"],
        components_returned: ["current", "forecast", "alerts"],
        completeness: 1,
      });
    });

    it("outside alert coverage: alerts is [] with a note, and that is not a degradation", async () => {
      const result = successOf(await getWeather({ location: "Berlin" }));
      const data = result.data as WeatherData;
      assert.equal(data.location.country_code, "DE");
      assert.deepEqual(data.alerts, []);
      assert.match(data.alerts_note ?? "", /not available for this location/);
      assert.equal(result.degraded, false);
      assert.equal(result.metadata?.completeness, 1);
    });

    it("asks only for the parts requested", async () => {
      const before = weatherFake.requests("forecast").length + weatherFake.requests("alerts").length;
      const result = successOf(
        await getWeather({ location: "Miami", include_forecast: false, include_alerts: false }),
      );
      const data = result.data as WeatherData;
      assert.equal(data.forecast, undefined);
      assert.equal(data.alerts, undefined);
      assert.deepEqual(result.metadata, {
        components_requested: ["current"],
        components_returned: ["current"],
        completeness: 1,
      });
      assert.equal(weatherFake.requests("forecast").length + weatherFake.requests("alerts").length, before);
    });

    it("forecast down: degraded success with a warning, completeness below 1, counted as degraded", async () => {
      weatherFake.fail("forecast", faults.status(503));
      const degradedCalls = { gen_ai_tool_name: "get_weather", outcome: "degraded" };
      const before = await counterValue(server.url, "mcp_tool_calls_total", degradedCalls);
      const call = await getWeather({ location: "Miami" });
      const result = successOf(call);
      const data = result.data as WeatherData;
      assert.equal(data.forecast, undefined);
      assert.equal(data.current.temperature_c, 21.5);
      assert.deepEqual(data.alerts, [MIAMI_HURRICANE]);
      assert.equal(result.degraded, true);
      assert.equal(result.warnings?.length, 1);
      const [warning] = result.warnings ?? [];
      assert.equal(warning?.component, "forecast");
      assert.equal(warning.error_type, "external_service_error");
      assert.match(warning.message, /weather-forecast.*HTTP 503/);
      assert.match(warning.impact, /7-day forecast unavailable/);
      assert.deepEqual(result.metadata, {
        components_requested: ["current", "forecast", "alerts"],
        components_returned: ["current", "alerts"],
        completeness: 0.67,
      });
      assert.equal(await counterValue(server.url, "mcp_tool_calls_total", degradedCalls), before + 1);
    });

    it("alerts down: degraded success without alerts", async () => {
      weatherFake.fail("alerts", faults.status(500));
      const result = successOf(await getWeather({ location: "Miami" }));
      const data = result.data as WeatherData;
      assert.equal(data.alerts, undefined);
      assert.equal(data.forecast?.days.length, 7);
      assert.equal(result.degraded, true);
      assert.deepEqual(
        result.warnings?.map((warning) => warning.component),
        ["alerts"],
      );
      assert.match(result.warnings?.[0]?.impact ?? "", /alerts unavailable/i);
      assert.equal(result.metadata?.completeness, 0.67);
    });

    it("fetches forecast and alerts concurrently; both down leaves current alone", async () => {
      let overlapped = false;
      const slowFailure = (other: "forecast" | "alerts") =>
        faults.dynamic(() => {
          // The other part is still waiting for its answer: the two were asked at once.
          if (weatherFake.requests(other).some((request) => request.state === "pending")) overlapped = true;
          return faults.slow(300, faults.status(500));
        });
      weatherFake.fail("forecast", slowFailure("alerts"));
      weatherFake.fail("alerts", slowFailure("forecast"));
      const result = successOf(await getWeather({ location: "Miami" }));
      assert.equal(overlapped, true);
      assert.deepEqual(result.warnings?.map((warning) => warning.component).sort(), ["alerts", "forecast"]);
      assert.deepEqual(result.metadata?.components_returned, ["current"]);
      assert.equal(result.metadata?.completeness, 0.33);
    });

    it("current conditions down: the call fails with retry guidance and says why", async () => {
      weatherFake.fail("current", faults.status(503));
      const serverErrors = { upstream_service: "weather-forecast", outcome: "server_error" };
      const before = await counterValue(server.url, "upstream_requests_total", serverErrors);
      const error = errorOf(await getWeather({ location: "Miami" }));
      assert.equal(error.type, "external_service_error");
      assert.equal(error.kind, "server_error");
      assert.equal(error.service, "weather-forecast");
      assert.equal(error.retry?.should_retry, true);
      assert.ok((error.retry?.retry_after_seconds ?? 0) >= 1);
      assert.match(
        error.suggestion,
        /^Wait \d+ seconds?, then call get_weather again\. The weather cannot be reported without current conditions/,
      );
      assert.ok((await counterValue(server.url, "upstream_requests_total", serverErrors)) > before);
    });

    it("geocoding down: fails with guidance naming the location lookup", async () => {
      weatherFake.fail("geocoding", faults.status(503));
      const error = errorOf(await getWeather({ location: "Miami" }));
      assert.equal(error.service, "weather-geocoding");
      assert.equal(error.retry?.should_retry, true);
      assert.match(error.suggestion, /without the location lookup/);
    });

    it("unknown location: not_found with similar names and a step that works as written", async () => {
      const error = errorOf(await getWeather({ location: "Londn", include_alerts: false }));
      assert.equal(error.type, "not_found");
      assert.equal(error.code, -32000);
      assert.equal(error.resource_type, "location");
      assert.equal(error.identifier, "Londn");
      assert.deepEqual(error.similar_matches?.slice(0, 2), [
        "London, England, United Kingdom",
        "London, Ontario, Canada",
      ]);
      assert.match(error.suggestion, /Did you mean London, England, United Kingdom\?/);
      const [step] = error.recovery_steps ?? [];
      assert.equal(step?.tool, "get_weather");
      assert.deepEqual(step.parameters, {
        location: "London, England, United Kingdom",
        include_forecast: true,
        include_alerts: false,
      });
      const retried = successOf(await getWeather(step.parameters ?? {}));
      assert.equal((retried.data as WeatherData).location.label, "London, England, United Kingdom");
    });

    it("several places of that name: the first is used, the others listed with a next step", async () => {
      const result = successOf(await getWeather({ location: "Springfield" }));
      const data = result.data as WeatherData;
      assert.equal(data.location.label, "Springfield, Illinois, United States");
      assert.deepEqual(data.other_matches, ["Springfield, Missouri, United States"]);
      assert.deepEqual(result.next_steps?.[0]?.parameters, {
        location: "Springfield, Missouri, United States",
        include_forecast: true,
        include_alerts: true,
      });
    });

    it("a location too short to search is a validation_error on location", async () => {
      const error = errorOf(await getWeather({ location: "X" }));
      assert.equal(error.type, "validation_error");
      assert.equal(error.field, "location");
    });
  });
});

describe("fetch_api_data when the upstream refuses connections", BOUNDED, () => {
  let server: RunningServer;
  let client: Client;

  before(async () => {
    const port = await closedPort();
    server = await startServer(networkEnv(`http://127.0.0.1:${port}`, "http://127.0.0.1:47"));
    ({ client } = await connectClient(server.mcpUrl));
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  it("is a connection_failed external_service_error with retry guidance", async () => {
    const error = errorOf(await callForEnvelope(client, "fetch_api_data", { endpoint: "users/1" }));
    assert.equal(error.type, "external_service_error");
    assert.equal(error.kind, "connection_failed");
    assert.deepEqual(Object.keys(error.retry ?? {}).sort(), SEED_RETRY_KEYS);
    assert.equal(error.retry?.should_retry, true);
    assert.equal(error.retry?.next_attempt, 2);
    assert.match(error.suggestion, RETRY_SUGGESTION);
  });
});

describe("fetch_api_data and the circuit breaker", BOUNDED, () => {
  const HALF_OPEN_MS = 1_000;
  let upstream: FaultServer;
  let server: RunningServer;
  let client: Client;

  before(async () => {
    upstream = await startFaultServer();
    server = await startServer(
      networkEnv(`${upstream.url}/api`, "http://127.0.0.1:47", {
        UPSTREAM_BREAKER_FAILURES: "3",
        UPSTREAM_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
        // One request per call, so three calls are exactly three failures.
        UPSTREAM_MAX_RETRIES: "0",
      }),
    );
    ({ client } = await connectClient(server.mcpUrl));
  });
  after(async () => {
    await client.close();
    await server.close();
    await upstream.close();
  });

  it("opens after N failures, fails fast with circuit_open, and closes once the upstream recovers", async () => {
    const fetchFlaky = () => callForEnvelope(client, "fetch_api_data", { endpoint: "flaky" });
    const refusedByCircuit = { upstream_service: "upstream-api", outcome: "circuit_open" };
    upstream.on("/api/flaky", faults.status(500));
    for (let failure = 1; failure <= 3; failure++) {
      assert.equal(errorOf(await fetchFlaky()).kind, "server_error", `failure ${failure}`);
    }
    assert.equal(server.services.backends.upstream.circuitState(), "open");

    // The upstream is healthy again, but the breaker holds until its half-open time.
    upstream.on("/api/flaky", faults.ok({ recovered: true }));
    const refusedBefore = await counterValue(server.url, "upstream_requests_total", refusedByCircuit);
    const started = Date.now();
    const error = errorOf(await fetchFlaky());
    assert.ok(Date.now() - started < 500, "an open circuit must answer at once");
    assert.equal(error.type, "external_service_error");
    assert.equal(error.kind, "circuit_open");
    assert.deepEqual(error.retry, {
      should_retry: true,
      retry_after_seconds: Math.ceil(HALF_OPEN_MS / 1000),
      next_attempt: 2,
      max_attempts: 3,
    });
    assert.equal(error.suggestion, "Wait 1 second, then call fetch_api_data again with attempt=2.");
    assert.equal(upstream.count("/api/flaky"), 3, "the open circuit must not reach the upstream");
    assert.equal(
      await counterValue(server.url, "upstream_requests_total", refusedByCircuit),
      refusedBefore + 1,
    );

    // Following the guidance to the letter works.
    await delay((error.retry?.retry_after_seconds ?? 0) * 1000 + 50);
    const recovered = successOf(
      await callForEnvelope(client, "fetch_api_data", { endpoint: "flaky", attempt: 2 }),
    );
    assert.deepEqual(recovered.data, {
      endpoint: "flaky",
      status: 200,
      attempt: 2,
      body: { recovered: true },
    });
    assert.equal(server.services.backends.upstream.circuitState(), "closed");
    assert.equal(upstream.count("/api/flaky"), 4);
  });
});

describe("get_weather's circuit breakers follow WEATHER_BREAKER_*, not UPSTREAM_BREAKER_*", BOUNDED, () => {
  let weatherFake: WeatherFake;
  let server: RunningServer;
  let client: Client;

  before(async () => {
    weatherFake = await startWeatherFake();
    server = await startServer(
      networkEnv("http://127.0.0.1:47", weatherFake.url, {
        // Were the weather clients still using the upstream settings, one failure would not open.
        UPSTREAM_BREAKER_FAILURES: "1000",
        WEATHER_BREAKER_FAILURES: "1",
        WEATHER_MAX_RETRIES: "0",
      }),
    );
    ({ client } = await connectClient(server.mcpUrl));
  });
  after(async () => {
    await client.close();
    await server.close();
    await weatherFake.close();
  });

  it("opens the geocoding circuit after one failure and then fails fast", async () => {
    weatherFake.fail("geocoding", faults.status(503));
    const first = errorOf(await callForEnvelope(client, "get_weather", { location: "Miami" }));
    assert.equal(first.kind, "server_error");
    const second = errorOf(await callForEnvelope(client, "get_weather", { location: "Miami" }));
    assert.equal(second.kind, "circuit_open");
    assert.equal(second.service, "weather-geocoding");
    assert.equal(weatherFake.requests("geocoding").length, 1, "the open circuit did not call the API");
  });
});
