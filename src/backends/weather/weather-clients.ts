import {
  createUpstreamClient,
  type BreakerOptions,
  type UpstreamClient,
  type UpstreamClientOptions,
} from "../upstream/http-client.js";
import type { RetryOptions } from "../upstream/retry-policy.js";

/** The three services behind the weather backend, each with its own client and circuit. */
export interface WeatherClients {
  /** Open-Meteo geocoding: place names to coordinates. */
  readonly geocoding: UpstreamClient;
  /** Open-Meteo forecast: current conditions and daily forecast. */
  readonly forecast: UpstreamClient;
  /** US National Weather Service: active alerts. */
  readonly alerts: UpstreamClient;
}

/** Service names as errors and the `service` metric label show them. */
export const WEATHER_SERVICES = {
  geocoding: "weather-geocoding",
  forecast: "weather-forecast",
  alerts: "weather-alerts",
} as const;

/** Defaults: the real public APIs, and limits that suit an interactive tool call. */
export const WEATHER_DEFAULTS = {
  geocodingBaseUrl: "https://geocoding-api.open-meteo.com",
  forecastBaseUrl: "https://api.open-meteo.com",
  alertsBaseUrl: "https://api.weather.gov",
  // NWS refuses requests without a User-Agent and asks for a way to contact the operator.
  userAgent: "resilient-mcp/0.1 (weather backend; set WEATHER_USER_AGENT to include your contact)",
  timeoutMs: 5_000,
  maxBodyBytes: 1024 * 1024,
  retry: { maxRetries: 1, baseDelayMs: 200, jitter: "full" } satisfies RetryOptions,
  breaker: { consecutiveFailures: 5, halfOpenAfterMs: 30_000 } satisfies BreakerOptions,
} as const;

/** What the composition root (or a test) may set; everything has a default. */
export interface WeatherClientOptions {
  readonly geocodingBaseUrl?: string;
  readonly forecastBaseUrl?: string;
  readonly alertsBaseUrl?: string;
  readonly userAgent?: string;
  readonly timeoutMs?: number;
  readonly budgetMs?: number;
  readonly maxBodyBytes?: number;
  readonly retry?: RetryOptions;
  readonly breaker?: BreakerOptions;
  readonly now?: UpstreamClientOptions["now"];
  readonly random?: UpstreamClientOptions["random"];
  readonly sleep?: UpstreamClientOptions["sleep"];
  readonly fetchImpl?: UpstreamClientOptions["fetchImpl"];
  readonly onRequest?: UpstreamClientOptions["onRequest"];
}

/** Builds the three upstream clients; bad URLs or limits throw here, at start. */
export function createWeatherClients(options: WeatherClientOptions = {}): WeatherClients {
  const { geocodingBaseUrl, forecastBaseUrl, alertsBaseUrl, userAgent, ...rest } = options;
  const shared = {
    timeoutMs: rest.timeoutMs ?? WEATHER_DEFAULTS.timeoutMs,
    maxBodyBytes: rest.maxBodyBytes ?? WEATHER_DEFAULTS.maxBodyBytes,
    retry: rest.retry ?? WEATHER_DEFAULTS.retry,
    breaker: rest.breaker ?? WEATHER_DEFAULTS.breaker,
    headers: { "user-agent": userAgent ?? WEATHER_DEFAULTS.userAgent },
    ...(rest.budgetMs === undefined ? {} : { budgetMs: rest.budgetMs }),
    ...(rest.now === undefined ? {} : { now: rest.now }),
    ...(rest.random === undefined ? {} : { random: rest.random }),
    ...(rest.sleep === undefined ? {} : { sleep: rest.sleep }),
    ...(rest.fetchImpl === undefined ? {} : { fetchImpl: rest.fetchImpl }),
    ...(rest.onRequest === undefined ? {} : { onRequest: rest.onRequest }),
  };
  return {
    geocoding: createUpstreamClient({
      ...shared,
      service: WEATHER_SERVICES.geocoding,
      baseUrl: geocodingBaseUrl ?? WEATHER_DEFAULTS.geocodingBaseUrl,
    }),
    forecast: createUpstreamClient({
      ...shared,
      service: WEATHER_SERVICES.forecast,
      baseUrl: forecastBaseUrl ?? WEATHER_DEFAULTS.forecastBaseUrl,
    }),
    alerts: createUpstreamClient({
      ...shared,
      service: WEATHER_SERVICES.alerts,
      baseUrl: alertsBaseUrl ?? WEATHER_DEFAULTS.alertsBaseUrl,
      // NWS serves GeoJSON; it answers application/json too, but this is what it documents.
      headers: { ...shared.headers, accept: "application/geo+json" },
    }),
  };
}
