import { UpstreamError } from "../../errors/upstream-error.js";
import { validationError } from "../../errors/validation-error.js";
import { geocodePlaces } from "./place-search.js";
import type { WeatherClients } from "./weather-clients.js";
import { describeWeatherCode } from "./weather-codes.js";
import { alertsResponse, currentResponse, dailyResponse, parseBody } from "./weather-schemas.js";
import type { AlertsReport, Coordinates, CurrentConditions, Forecast, Place } from "./weather-types.js";

export type * from "./weather-types.js";

/** Most days Open-Meteo forecasts. */
export const MAX_FORECAST_DAYS = 16;

const CURRENT_FIELDS = "temperature_2m,weather_code,wind_speed_10m,relative_humidity_2m";
const DAILY_FIELDS = "temperature_2m_max,temperature_2m_min,precipitation_probability_max,weather_code";
// NWS answers a point with more than four decimals with an error; four is ~11 m, plenty.
const NWS_DECIMALS = 4;

/**
 * Weather from Open-Meteo (places, current conditions, forecast) and NWS (US alerts). Every
 * method fails the error service's way: validation_error for bad arguments, not_found for an
 * unknown place, and UpstreamErrors the classifier turns into rate_limited or
 * external_service_error. Each part is a separate call, so a tool can require one and degrade
 * gracefully on the others (collectComponents).
 */
export interface WeatherService {
  /** Places matching a name ("Springfield", "Springfield, Illinois"), best first; never empty. */
  geocode(location: string, signal: AbortSignal): Promise<Place[]>;
  current(place: Coordinates, signal: AbortSignal): Promise<CurrentConditions>;
  /** `days` from 1 to MAX_FORECAST_DAYS, starting today in the place's time zone. */
  forecast(place: Coordinates, days: number, signal: AbortSignal): Promise<Forecast>;
  /** Active alerts; a point outside NWS coverage is `covered: false`, not an error. */
  alerts(place: Coordinates, signal: AbortSignal): Promise<AlertsReport>;
}

/** Builds the service on its three upstream clients (see createWeatherClients). */
export function createWeatherService(clients: WeatherClients): WeatherService {
  return {
    geocode: (location, signal) => geocodePlaces(clients.geocoding, location, signal),

    async current(place, signal) {
      checkCoordinates(place);
      const response = await clients.forecast.getJson("v1/forecast", {
        signal,
        query: { ...coordinateQuery(place), current: CURRENT_FIELDS, timezone: "auto" },
      });
      const { timezone, current } = parseBody(clients.forecast.service, currentResponse, response.body);
      return {
        time: current.time,
        timezone,
        temperature_c: current.temperature_2m,
        relative_humidity_percent: current.relative_humidity_2m,
        wind_speed_kmh: current.wind_speed_10m,
        weather_code: current.weather_code,
        conditions: describeWeatherCode(current.weather_code),
      };
    },

    async forecast(place, days, signal) {
      checkCoordinates(place);
      if (!Number.isInteger(days) || days < 1 || days > MAX_FORECAST_DAYS) {
        throw validationError({
          field: "days",
          received: days,
          expected: `a whole number from 1 to ${MAX_FORECAST_DAYS}`,
          examples: [3, 7],
        });
      }
      const response = await clients.forecast.getJson("v1/forecast", {
        signal,
        query: { ...coordinateQuery(place), daily: DAILY_FIELDS, timezone: "auto", forecast_days: days },
      });
      const { timezone, daily } = parseBody(clients.forecast.service, dailyResponse, response.body);
      return {
        timezone,
        days: daily.time.map((date, index) => {
          const code = daily.weather_code[index] ?? null;
          return {
            date,
            temperature_max_c: daily.temperature_2m_max[index] ?? null,
            temperature_min_c: daily.temperature_2m_min[index] ?? null,
            precipitation_probability_percent: daily.precipitation_probability_max[index] ?? null,
            weather_code: code,
            conditions: describeWeatherCode(code),
          };
        }),
      };
    },

    async alerts(place, signal) {
      checkCoordinates(place);
      const point = `${place.latitude.toFixed(NWS_DECIMALS)},${place.longitude.toFixed(NWS_DECIMALS)}`;
      const service = clients.alerts.service;
      try {
        const response = await clients.alerts.getJson("alerts/active", { signal, query: { point } });
        const { features } = parseBody(service, alertsResponse, response.body);
        return {
          covered: true,
          source: service,
          alerts: features.map(({ properties }) => ({
            event: properties.event,
            severity: properties.severity,
            headline: properties.headline ?? null,
            effective: properties.effective ?? null,
            expires: properties.expires ?? null,
          })),
        };
      } catch (error) {
        // NWS knows only US points; elsewhere it answers 404 (or 400). That is a fact about
        // coverage, which the tool reports as a warning, not a failure of the service.
        if (error instanceof UpstreamError && (error.status === 404 || error.status === 400)) {
          return {
            covered: false,
            source: service,
            alerts: [],
            note: "Weather alerts come from the US National Weather Service and are not available for this location.",
          };
        }
        throw error;
      }
    },
  };
}

function coordinateQuery(place: Coordinates): { latitude: number; longitude: number } {
  return { latitude: place.latitude, longitude: place.longitude };
}

function checkCoordinates(place: Coordinates): void {
  const check = (field: "latitude" | "longitude", limit: number): void => {
    const value = place[field];
    if (!Number.isFinite(value) || Math.abs(value) > limit) {
      throw validationError({ field, received: value, expected: `a number from -${limit} to ${limit}` });
    }
  };
  check("latitude", 90);
  check("longitude", 180);
}
