/** Data the weather backend returns: plain, validated, with units in the field names. */

/** A point on Earth, in decimal degrees. */
export interface Coordinates {
  readonly latitude: number;
  readonly longitude: number;
}

/** A named place found by geocoding. */
export interface Place extends Coordinates {
  readonly name: string;
  /** "Springfield, Illinois, United States": unique enough to pass back to geocode. */
  readonly label: string;
  readonly country?: string;
  readonly country_code?: string;
  /** The first-level region (state, province). */
  readonly admin1?: string;
  readonly timezone?: string;
}

/** Conditions now (Open-Meteo's defaults: °C, km/h). */
export interface CurrentConditions {
  readonly time: string;
  readonly timezone: string;
  readonly temperature_c: number | null;
  readonly relative_humidity_percent: number | null;
  readonly wind_speed_kmh: number | null;
  readonly weather_code: number | null;
  readonly conditions: string;
}

/** One day of a forecast. */
export interface ForecastDay {
  readonly date: string;
  readonly temperature_max_c: number | null;
  readonly temperature_min_c: number | null;
  readonly precipitation_probability_percent: number | null;
  readonly weather_code: number | null;
  readonly conditions: string;
}

/** A daily forecast in the place's local time zone. */
export interface Forecast {
  readonly timezone: string;
  readonly days: readonly ForecastDay[];
}

/** An active alert (NWS CAP fields). */
export interface WeatherAlert {
  readonly event: string;
  readonly severity: string;
  readonly headline: string | null;
  readonly effective: string | null;
  readonly expires: string | null;
}

/**
 * Alerts for a point. `covered: false` means no alert source serves this point (NWS covers the
 * US only): not a failure, and not "no alerts" either; `note` says so in words for the model.
 */
export type AlertsReport =
  | { readonly covered: true; readonly source: string; readonly alerts: readonly WeatherAlert[] }
  | { readonly covered: false; readonly source: string; readonly alerts: readonly []; readonly note: string };
