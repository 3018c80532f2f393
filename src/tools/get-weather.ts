import { z } from "zod";
import type {
  AlertsReport,
  CurrentConditions,
  Forecast,
  Place,
  WeatherService,
} from "../backends/weather/weather-service.js";
import { classifyError } from "../errors/classify.js";
import { collectComponents, type ComponentSpec } from "../errors/degradation.js";
import { success } from "../errors/handler-result.js";
import { stepTo } from "../errors/recovery-steps.js";
import { ToolError } from "../errors/tool-error.js";
import { defineTool } from "./tool-definition.js";

/** Days of forecast get_weather returns (a "7-day forecast"). */
export const WEATHER_FORECAST_DAYS = 7;

/** The input of get_weather, kept in a const so the tool's own steps can target it. */
export const getWeatherInput = z.object({
  location: z
    .string()
    .trim()
    .min(2)
    .max(100)
    .describe(
      'A place name, optionally followed by region and country after commas: "Berlin", ' +
        '"Springfield, Illinois", "Paris, France".',
    ),
  include_forecast: z
    .boolean()
    .default(true)
    .describe(`Also return a ${WEATHER_FORECAST_DAYS}-day daily forecast (optional part).`),
  include_alerts: z
    .boolean()
    .default(true)
    .describe("Also return active weather alerts; available for US locations only (optional part)."),
});

const placeSchema = z.object({
  name: z.string(),
  label: z.string().describe("Unique enough to pass back as `location`."),
  latitude: z.number(),
  longitude: z.number(),
  country: z.string().optional(),
  country_code: z.string().optional(),
  admin1: z.string().optional().describe("State, province or other first-level region."),
  timezone: z.string().optional(),
});

const currentSchema = z.object({
  time: z.string().describe("Local time of the observation, ISO 8601 without offset."),
  timezone: z.string(),
  temperature_c: z.number().nullable(),
  relative_humidity_percent: z.number().nullable(),
  wind_speed_kmh: z.number().nullable(),
  weather_code: z.number().int().nullable().describe("WMO weather interpretation code."),
  conditions: z.string(),
});

const forecastSchema = z.object({
  timezone: z.string(),
  days: z.array(
    z.object({
      date: z.string(),
      temperature_max_c: z.number().nullable(),
      temperature_min_c: z.number().nullable(),
      precipitation_probability_percent: z.number().nullable(),
      weather_code: z.number().int().nullable(),
      conditions: z.string(),
    }),
  ),
});

const alertSchema = z.object({
  event: z.string(),
  severity: z.string(),
  headline: z.string().nullable(),
  effective: z.string().nullable(),
  expires: z.string().nullable(),
});

/** What get_weather returns as `data`; forecast and alerts are absent when not asked for or unavailable. */
export const getWeatherOutput = z.object({
  location: placeSchema.describe("The place the weather is for."),
  other_matches: z
    .array(z.string())
    .optional()
    .describe("Other places with that name; pass one as `location` if the user meant it."),
  current: currentSchema,
  forecast: forecastSchema.optional(),
  alerts: z.array(alertSchema).optional().describe("Active alerts; [] when there are none."),
  alerts_note: z
    .string()
    .optional()
    .describe("Present when no alert service covers the location: alerts is then [] for that reason."),
});

type WeatherData = z.input<typeof getWeatherOutput>;

// What the reader loses when an optional part fails (a warning's `impact`).
const FORECAST_IMPACT = `${WEATHER_FORECAST_DAYS}-day forecast unavailable, only current conditions shown`;
const ALERTS_IMPACT =
  "Weather alerts unavailable: alerts could not be checked, so their absence here says nothing";

/**
 * get_weather: graceful degradation (docs/patterns.md): current conditions required, forecast and
 * alerts optional.
 */
export function getWeatherTool(weather: WeatherService) {
  return defineTool({
    name: "get_weather",
    title: "Get weather",
    description:
      "Current weather for a place, with an optional 7-day forecast and active alerts (US only). " +
      "Current conditions are required: if they cannot be fetched the call fails, with retry guidance " +
      "in error.retry. The forecast and alerts are optional: if either is unavailable the call still " +
      "succeeds with degraded: true, a warning per missing part (component, message, impact) and " +
      "metadata.completeness below 1; tell the user what is missing. An unknown place fails with " +
      "not_found and similar_matches to choose from. When several places share the name, the first is " +
      "used and the others are listed in data.other_matches.",
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
    input: getWeatherInput,
    output: getWeatherOutput,
    waitsOutside: true,
    async handler({ location, include_forecast, include_alerts }, ctx) {
      const [place, ...others] = await findPlaces(weather, location, ctx.signal, {
        include_forecast,
        include_alerts,
      });
      // geocode never returns an empty list; if it did, that is our bug and rightly internal_error.
      if (place === undefined) throw new Error(`geocode returned no place for "${location}"`);

      const current: ComponentSpec<CurrentConditions> = {
        required: true,
        load: () =>
          weather.current(place, ctx.signal).catch((error: unknown) => {
            throw requiredPartFailed("current conditions", error);
          }),
      };
      const forecast: ComponentSpec<Forecast> = {
        required: false,
        load: () => weather.forecast(place, WEATHER_FORECAST_DAYS, ctx.signal),
        impact: FORECAST_IMPACT,
      };
      const alerts: ComponentSpec<AlertsReport> = {
        required: false,
        load: () => weather.alerts(place, ctx.signal),
        impact: ALERTS_IMPACT,
      };
      // Only the parts asked for are requested, so completeness counts only those.
      const { data: parts, ...extras } = await collectComponents({
        current,
        ...(include_forecast ? { forecast } : {}),
        ...(include_alerts ? { alerts } : {}),
      });
      if (parts.current === undefined) throw new Error("current conditions missing although required");

      const data: WeatherData = {
        location: describePlace(place),
        ...(others.length > 0 ? { other_matches: others.map((other) => other.label) } : {}),
        current: parts.current,
        ...(parts.forecast === undefined
          ? {}
          : { forecast: { timezone: parts.forecast.timezone, days: [...parts.forecast.days] } }),
        ...(parts.alerts === undefined ? {} : alertsData(parts.alerts)),
      };
      const [next] = others;
      return success(data, {
        ...extras,
        ...(next === undefined
          ? {}
          : {
              next_steps: [
                stepTo(
                  { name: "get_weather", input: getWeatherInput },
                  {
                    action: `Get the weather for ${next.label} instead, if the user meant that place`,
                    parameters: { location: next.label, include_forecast, include_alerts },
                  },
                ),
              ],
            }),
      });
    },
  });
}

interface Requested {
  readonly include_forecast: boolean;
  readonly include_alerts: boolean;
}

/**
 * Geocoding is required: without coordinates nothing else can be asked. An unknown place gets a
 * step that calls this tool again with the closest match, so the model can act on it as written.
 */
async function findPlaces(
  weather: WeatherService,
  location: string,
  signal: AbortSignal,
  requested: Requested,
): Promise<Place[]> {
  try {
    return await weather.geocode(location, signal);
  } catch (error) {
    if (error instanceof ToolError && error.type === "not_found") {
      const [best] = error.details.similar_matches ?? [];
      if (best === undefined) throw error;
      throw error.with({
        details: {
          recovery_steps: [
            stepTo(
              { name: "get_weather", input: getWeatherInput },
              {
                action: `Get the weather for ${best}, the closest match`,
                parameters: { location: best, ...requested },
                description: "Or pick another of similar_matches, or ask the user which place they meant.",
              },
            ),
          ],
        },
      });
    }
    throw requiredPartFailed("the location lookup", error);
  }
}

/**
 * A required part failed, so the call fails as a whole; tell the model that asking for less
 * (no forecast, no alerts) would not have helped. The runner adds when to retry.
 */
function requiredPartFailed(part: string, error: unknown): unknown {
  const classified = classifyError(error);
  if (classified.type !== "external_service_error" && classified.type !== "rate_limited") return error;
  const why = `The weather cannot be reported without ${part}, so the whole call failed; leaving out the forecast or alerts would not help.`;
  return classified.with({
    suggestion: classified.retryable
      ? why
      : `${why} Tell the user the weather service is unavailable for now.`,
  });
}

function describePlace(place: Place): z.input<typeof placeSchema> {
  return {
    name: place.name,
    label: place.label,
    latitude: place.latitude,
    longitude: place.longitude,
    ...(place.country === undefined ? {} : { country: place.country }),
    ...(place.country_code === undefined ? {} : { country_code: place.country_code }),
    ...(place.admin1 === undefined ? {} : { admin1: place.admin1 }),
    ...(place.timezone === undefined ? {} : { timezone: place.timezone }),
  };
}

/**
 * No alert service for the place is a fact, not a failure: alerts stay [] and a
 * note says why, so the model does not read [] as "no alerts in force".
 */
function alertsData(report: AlertsReport): Pick<WeatherData, "alerts" | "alerts_note"> {
  return report.covered ? { alerts: [...report.alerts] } : { alerts: [], alerts_note: report.note };
}
