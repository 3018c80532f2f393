import { z } from "zod";
import { UpstreamError } from "../../errors/upstream-error.js";

/**
 * The parts of Open-Meteo's and NWS's answers we rely on. Unknown fields are dropped; a missing or
 * mistyped field we need is a bad_response from that service.
 */

const latitude = z.number().min(-90).max(90);
const longitude = z.number().min(-180).max(180);
const reading = z.number().nullable();

/** GET /v1/search: `results` is absent, not empty, when nothing matches. */
export const geocodingResponse = z.object({
  results: z
    .array(
      z.object({
        name: z.string().min(1),
        latitude,
        longitude,
        country: z.string().optional(),
        country_code: z.string().optional(),
        admin1: z.string().optional(),
        timezone: z.string().optional(),
      }),
    )
    .default([]),
});

/** GET /v1/forecast?current=… */
export const currentResponse = z.object({
  timezone: z.string(),
  current: z.object({
    time: z.string(),
    temperature_2m: reading,
    relative_humidity_2m: reading,
    wind_speed_10m: reading,
    weather_code: reading,
  }),
});

/** GET /v1/forecast?daily=…: parallel arrays, one entry per day. */
export const dailyResponse = z.object({
  timezone: z.string(),
  daily: z
    .object({
      time: z.array(z.string()),
      temperature_2m_max: z.array(reading),
      temperature_2m_min: z.array(reading),
      precipitation_probability_max: z.array(reading),
      weather_code: z.array(reading),
    })
    .refine(
      (daily) =>
        [
          daily.temperature_2m_max,
          daily.temperature_2m_min,
          daily.precipitation_probability_max,
          daily.weather_code,
        ].every((series) => series.length === daily.time.length),
      { error: "daily series have different lengths" },
    ),
});

/** GET /alerts/active?point=…: a GeoJSON FeatureCollection of CAP alerts. */
export const alertsResponse = z.object({
  features: z.array(
    z.object({
      properties: z.object({
        event: z.string(),
        severity: z.string(),
        headline: z.string().nullish(),
        effective: z.string().nullish(),
        expires: z.string().nullish(),
      }),
    }),
  ),
});

/** Parses `body` with `schema`; a mismatch is the service's bad_response, with the zod issues as cause. */
export function parseBody<S extends z.ZodType>(service: string, schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new UpstreamError(
    service,
    `${service} answered with an unexpected shape: ${z.prettifyError(parsed.error)}`,
    {
      kind: "bad_response",
      cause: parsed.error,
    },
  );
}
