import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { collectComponents } from "../../src/errors/degradation.js";
import type { UpstreamRequestEvent } from "../../src/backends/upstream/http-client.js";
import {
  WEATHER_DEFAULTS,
  createWeatherClients,
  type WeatherClientOptions,
  type WeatherClients,
} from "../../src/backends/weather/weather-clients.js";
import { createWeatherService, type WeatherService } from "../../src/backends/weather/weather-service.js";
import { faults } from "../helpers/fault-server.js";
import { MIAMI_HURRICANE, startWeatherFake, type WeatherFake } from "../helpers/weather-fake.js";
import { classifiedRejection } from "../helpers/classified-rejection.js";

const signal = () => new AbortController().signal;

describe("weather service against fake Open-Meteo and NWS", () => {
  let fake: WeatherFake;
  let clients: WeatherClients;
  let weather: WeatherService;
  let events: UpstreamRequestEvent[];

  const build = (options: WeatherClientOptions = {}): void => {
    clients = createWeatherClients({
      geocodingBaseUrl: fake.url,
      forecastBaseUrl: fake.url,
      alertsBaseUrl: fake.url,
      timeoutMs: 2_000,
      retry: { maxRetries: 1, baseDelayMs: 0, jitter: "none" },
      breaker: { consecutiveFailures: 3, halfOpenAfterMs: 60_000 },
      onRequest: (event) => events.push(event),
      ...options,
    });
    weather = createWeatherService(clients);
  };

  beforeEach(async () => {
    fake = await startWeatherFake();
    events = [];
    build();
  });
  afterEach(async () => {
    await fake.close();
  });

  it("happy path: geocode, current, forecast and alerts for a US city", async () => {
    const [miami] = await weather.geocode("Miami", signal());
    assert.ok(miami);
    assert.equal(miami.label, "Miami, Florida, United States");
    assert.equal(miami.country_code, "US");

    const now = await weather.current(miami, signal());
    assert.deepEqual(now, {
      time: "2025-01-15T12:00",
      timezone: "GMT",
      temperature_c: 21.5,
      relative_humidity_percent: 64,
      wind_speed_kmh: 12.3,
      weather_code: 2,
      conditions: "Partly cloudy",
    });

    const forecast = await weather.forecast(miami, 3, signal());
    assert.equal(forecast.days.length, 3);
    assert.deepEqual(forecast.days[2], {
      date: "2025-01-17",
      temperature_max_c: 22,
      temperature_min_c: 12,
      precipitation_probability_percent: 20,
      weather_code: 61,
      conditions: "Slight rain",
    });

    const alerts = await weather.alerts(miami, signal());
    assert.equal(alerts.covered, true);
    assert.deepEqual(alerts.alerts, [MIAMI_HURRICANE]);

    // The requests have the real APIs' shapes.
    assert.equal(fake.requests("geocoding")[0]?.target, "/v1/search?name=Miami&count=5");
    const currentQuery = fake.requests("current")[0]?.query;
    assert.equal(
      currentQuery?.get("current"),
      "temperature_2m,weather_code,wind_speed_10m,relative_humidity_2m",
    );
    assert.equal(currentQuery.get("timezone"), "auto");
    const dailyQuery = fake.requests("forecast")[0]?.query;
    assert.equal(
      dailyQuery?.get("daily"),
      "temperature_2m_max,temperature_2m_min,precipitation_probability_max,weather_code",
    );
    assert.equal(dailyQuery.get("forecast_days"), "3");
    const alertRequest = fake.requests("alerts")[0];
    assert.equal(alertRequest?.query.get("point"), "25.7743,-80.1937");
    assert.equal(alertRequest.headers["user-agent"], WEATHER_DEFAULTS.userAgent);
    assert.deepEqual([...new Set(events.map((e) => e.service))].sort(), [
      "weather-alerts",
      "weather-forecast",
      "weather-geocoding",
    ]);
  });

  it("alerts outside the US (NWS 404) are 'not covered', not an error", async () => {
    const [berlin] = await weather.geocode("Berlin", signal());
    assert.ok(berlin);
    const report = await weather.alerts(berlin, signal());
    assert.equal(report.covered, false);
    assert.deepEqual(report.alerts, []);
    assert.match(report.note, /not available for this location/);
    assert.equal(fake.requests("alerts").length, 1, "a 404 is an answer: not retried");
    assert.equal(clients.alerts.circuitState(), "closed");
  });

  it("forecast down: an error the tool degrades on, while current conditions still load", async () => {
    fake.fail("forecast", faults.unavailable());
    const [paris] = await weather.geocode("Paris, France", signal());
    assert.ok(paris);
    const error = await classifiedRejection(weather.forecast(paris, 7, signal()));
    assert.equal(error.type, "external_service_error");
    assert.equal(error.details.kind, "server_error");
    assert.equal(error.details.service, "weather-forecast");
    assert.equal(error.retryable, true);

    const result = await collectComponents({
      current: { required: true, load: () => weather.current(paris, signal()) },
      forecast: {
        required: false,
        load: () => weather.forecast(paris, 7, signal()),
        impact: "7-day forecast unavailable, only current conditions shown",
      },
      alerts: { required: false, load: () => weather.alerts(paris, signal()) },
    });
    assert.equal(result.degraded, true);
    assert.equal(result.data.current?.temperature_c, 21.5);
    assert.equal(result.data.forecast, undefined);
    assert.deepEqual(
      result.warnings?.map((w) => [w.component, w.error_type]),
      [["forecast", "external_service_error"]],
    );
    assert.deepEqual(result.metadata?.components_returned, ["current", "alerts"]);
  });

  it("alerts down (not merely out of coverage) is a real failure the tool can degrade on", async () => {
    fake.fail("alerts", faults.status(500));
    const [miami] = await weather.geocode("Miami", signal());
    assert.ok(miami);
    const error = await classifiedRejection(weather.alerts(miami, signal()));
    assert.equal(error.details.kind, "server_error");
    assert.equal(error.details.service, "weather-alerts");
  });

  it("an unknown place is not_found with similar names from a looser search", async () => {
    const error = await classifiedRejection(weather.geocode("Londn", signal()));
    assert.equal(error.type, "not_found");
    assert.equal(error.details.resource_type, "location");
    assert.equal(error.details.identifier, "Londn");
    assert.deepEqual(error.details.similar_matches, [
      "London, England, United Kingdom",
      "London, Ontario, Canada",
      "Londrina, Paraná, Brazil",
    ]);
    assert.match(error.suggestion ?? "", /Did you mean London, England, United Kingdom\?/);
    assert.deepEqual(
      fake.requests("geocoding").map((r) => r.query.get("name")),
      ["Londn", "Lon"],
    );
  });

  it("a suggested label can be passed straight back", async () => {
    const error = await classifiedRejection(weather.geocode("Londn", signal()));
    const label = error.details.similar_matches?.[1];
    assert.equal(label, "London, Ontario, Canada");
    const places = await weather.geocode(label, signal());
    assert.deepEqual(
      places.map((p) => p.label),
      ["London, Ontario, Canada"],
    );
  });

  it("a name that resembles nothing is not_found without suggestions", async () => {
    const error = await classifiedRejection(weather.geocode("Xyzzyville", signal()));
    assert.equal(error.type, "not_found");
    assert.equal(error.details.similar_matches, undefined);
    assert.match(error.suggestion ?? "", /Check the spelling/);
  });

  it("region and country narrow homonyms; a wrong one suggests the places that exist", async () => {
    const texas = await weather.geocode("Paris, Texas", signal());
    assert.deepEqual(
      texas.map((p) => p.label),
      ["Paris, Texas, United States"],
    );
    const missouri = await weather.geocode("springfield, MISSOURI, us", signal());
    assert.deepEqual(
      missouri.map((p) => p.admin1),
      ["Missouri"],
    );
    const error = await classifiedRejection(weather.geocode("Paris, Germany", signal()));
    assert.equal(error.type, "not_found");
    assert.deepEqual(error.details.similar_matches, [
      "Paris, Île-de-France, France",
      "Paris, Texas, United States",
    ]);
  });

  it("suggestions are best effort: a failing loose search still yields not_found", async () => {
    fake.fail("geocoding", faults.flapping(1, faults.ok({ generationtime_ms: 0.1 }), faults.status(500)));
    const error = await classifiedRejection(weather.geocode("Londn", signal()));
    assert.equal(error.type, "not_found");
    assert.equal(error.details.similar_matches, undefined);
  });

  it("geocoding unreachable or rate limited fails as that service", async () => {
    fake.fail("geocoding", faults.rateLimited(30));
    const limited = await classifiedRejection(weather.geocode("Berlin", signal()));
    assert.equal(limited.type, "rate_limited");
    assert.equal(limited.retryAfterSeconds, 30);
    assert.equal(limited.details.service, "weather-geocoding");

    fake.fail("geocoding", faults.reset());
    const reset = await classifiedRejection(weather.geocode("Berlin", signal()));
    assert.equal(reset.details.kind, "connection_failed");
  });

  it("a body of the wrong shape is a bad_response from that service", async () => {
    fake.fail("geocoding", faults.ok({ results: [{ name: "Nowhere", latitude: "north" }] }));
    const geocoding = await classifiedRejection(weather.geocode("Nowhere", signal()));
    assert.equal(geocoding.type, "external_service_error");
    assert.equal(geocoding.details.kind, "bad_response");
    assert.equal(geocoding.details.service, "weather-geocoding");

    fake.fail(
      "forecast",
      faults.ok({
        timezone: "GMT",
        daily: {
          time: ["2025-01-15", "2025-01-16"],
          temperature_2m_max: [1],
          temperature_2m_min: [1, 2],
          precipitation_probability_max: [null, null],
          weather_code: [0, 0],
        },
      }),
    );
    const forecast = await classifiedRejection(weather.forecast({ latitude: 1, longitude: 2 }, 2, signal()));
    assert.equal(forecast.details.kind, "bad_response");
    assert.equal(forecast.details.service, "weather-forecast");

    fake.fail("alerts", faults.ok({ type: "FeatureCollection" }));
    const alerts = await classifiedRejection(
      weather.alerts({ latitude: 25.77427, longitude: -80.19366 }, signal()),
    );
    assert.equal(alerts.details.kind, "bad_response");
  });

  it("bad arguments are validation errors, and no request is made", async () => {
    for (const location of ["", " ", "x", ", France", "y".repeat(101)]) {
      const error = await classifiedRejection(weather.geocode(location, signal()));
      assert.equal(error.type, "validation_error", `for ${JSON.stringify(location)}`);
      assert.equal(error.details.field, "location");
    }
    for (const days of [0, 17, 2.5]) {
      const error = await classifiedRejection(
        weather.forecast({ latitude: 1, longitude: 2 }, days, signal()),
      );
      assert.equal(error.type, "validation_error");
      assert.equal(error.details.field, "days");
    }
    const latitude = await classifiedRejection(weather.current({ latitude: 91, longitude: 0 }, signal()));
    assert.equal(latitude.details.field, "latitude");
    assert.equal(fake.server.count(), 0);
  });

  it("each service has its own breaker: a dead forecast does not stop geocoding or alerts", async () => {
    fake.fail("forecast", faults.status(500));
    for (let i = 0; i < 3; i++)
      await classifiedRejection(weather.forecast({ latitude: 1, longitude: 2 }, 3, signal()));
    assert.equal(clients.forecast.circuitState(), "open");
    const open = await classifiedRejection(weather.current({ latitude: 1, longitude: 2 }, signal()));
    assert.equal(open.details.kind, "circuit_open", "current shares the forecast host, so it fails fast too");
    assert.ok((open.retryAfterSeconds ?? 0) > 0);
    assert.equal(clients.geocoding.circuitState(), "closed");
    assert.equal((await weather.geocode("Berlin", signal())).length, 1);
    assert.equal(clients.alerts.circuitState(), "closed");
  });

  it("the caller's cancellation passes through as cancelled", async () => {
    fake.fail("current", faults.slow(5_000));
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 30);
    const error = await classifiedRejection(
      weather.current({ latitude: 1, longitude: 2 }, controller.signal),
    );
    assert.equal(error.type, "cancelled");
  });
});
