import { z } from "zod";
import { baseUrl, wholeNumber } from "./env-values.js";

/**
 * The weather APIs behind get_weather: where they are, and how hard to try. They have their own
 * retry and circuit-breaker settings, apart from UPSTREAM_*: a flaky forecast service must not
 * be judged by the thresholds chosen for fetch_api_data's API, nor the other way round.
 */
export const weatherShape = {
  WEATHER_GEOCODING_URL: baseUrl.default("https://geocoding-api.open-meteo.com"),
  WEATHER_FORECAST_URL: baseUrl.default("https://api.open-meteo.com"),
  WEATHER_ALERTS_URL: baseUrl.default("https://api.weather.gov"),
  WEATHER_USER_AGENT: z
    .string()
    .trim()
    .min(1)
    .default("resilient-mcp (set WEATHER_USER_AGENT to your contact)"),
  WEATHER_TIMEOUT_MS: wholeNumber(50, 600_000).default(5000),
  WEATHER_MAX_RETRIES: wholeNumber(0, 3).default(1),
  WEATHER_BREAKER_FAILURES: wholeNumber(1, 1000).default(5),
  WEATHER_BREAKER_HALF_OPEN_MS: wholeNumber(100, 3_600_000).default(30_000),
};

/** The weather part of Config. */
export type WeatherConfig = Readonly<{
  geocodingUrl: string;
  forecastUrl: string;
  alertsUrl: string;
  userAgent: string;
  timeoutMs: number;
  maxRetries: number;
  breakerFailures: number;
  breakerHalfOpenMs: number;
}>;

/** Maps the parsed WEATHER_* variables to WeatherConfig, frozen. */
export function weatherConfig(v: z.output<z.ZodObject<typeof weatherShape>>): WeatherConfig {
  return Object.freeze({
    geocodingUrl: v.WEATHER_GEOCODING_URL,
    forecastUrl: v.WEATHER_FORECAST_URL,
    alertsUrl: v.WEATHER_ALERTS_URL,
    userAgent: v.WEATHER_USER_AGENT,
    timeoutMs: v.WEATHER_TIMEOUT_MS,
    maxRetries: v.WEATHER_MAX_RETRIES,
    breakerFailures: v.WEATHER_BREAKER_FAILURES,
    breakerHalfOpenMs: v.WEATHER_BREAKER_HALF_OPEN_MS,
  });
}
