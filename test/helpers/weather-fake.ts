import {
  faults,
  startFaultServer,
  type Fault,
  type FaultServer,
  type RecordedRequest,
} from "./fault-server.js";

/**
 * Open-Meteo geocoding and forecast, and NWS alerts, faked on one loopback server with the real
 * APIs' paths and shapes; each component can be switched to any fault of the fault server.
 */

/** The parts a weather tool calls, each switchable on its own. */
export type WeatherComponent = "geocoding" | "current" | "forecast" | "alerts";

/** A place the fake geocoder knows, in Open-Meteo's result shape. */
export interface FakePlace {
  readonly name: string;
  readonly latitude: number;
  readonly longitude: number;
  readonly country: string;
  readonly country_code: string;
  readonly admin1: string;
  readonly timezone: string;
}

/** The fake's gazetteer: enough to have homonyms, near misses and places outside the US. */
export const FAKE_PLACES: readonly FakePlace[] = [
  place("Berlin", 52.52437, 13.41053, "Germany", "DE", "Land Berlin", "Europe/Berlin"),
  place("London", 51.50853, -0.12574, "United Kingdom", "GB", "England", "Europe/London"),
  place("London", 42.98339, -81.23304, "Canada", "CA", "Ontario", "America/Toronto"),
  place("Londrina", -23.3103, -51.16278, "Brazil", "BR", "Paraná", "America/Sao_Paulo"),
  place("Paris", 48.85341, 2.3488, "France", "FR", "Île-de-France", "Europe/Paris"),
  place("Paris", 33.66094, -95.55551, "United States", "US", "Texas", "America/Chicago"),
  place("Springfield", 39.80172, -89.64371, "United States", "US", "Illinois", "America/Chicago"),
  place("Springfield", 37.21533, -93.29824, "United States", "US", "Missouri", "America/Chicago"),
  place("Miami", 25.77427, -80.19366, "United States", "US", "Florida", "America/New_York"),
];

/** An NWS alert's properties as the fake serves them. */
export interface FakeAlert {
  readonly event: string;
  readonly severity: string;
  readonly headline: string | null;
  readonly effective: string;
  readonly expires: string;
}

/** The alert the fake reports for Miami unless told otherwise. */
export const MIAMI_HURRICANE: FakeAlert = {
  event: "Hurricane Warning",
  severity: "Extreme",
  headline: "Hurricane Warning issued January 15 at 5:00AM EST by NWS Miami FL",
  effective: "2025-01-15T05:00:00-05:00",
  expires: "2025-01-16T05:00:00-05:00",
};

/** A running fake. */
export interface WeatherFake {
  /** Base URL for all three services (they share the fake's origin). */
  readonly url: string;
  readonly server: FaultServer;
  /** Makes one component answer with `fault` until `heal`. */
  fail(component: WeatherComponent, fault: Fault): void;
  /** Restores one component, or all. */
  heal(component?: WeatherComponent): void;
  /** Active alerts by "lat,lon" as the client sends it (four decimals). */
  setAlerts(point: string, alerts: readonly FakeAlert[]): void;
  /** Requests one component received. */
  requests(component: WeatherComponent): RecordedRequest[];
  close(): Promise<void>;
}

/** Starts the fake with every component healthy. */
export async function startWeatherFake(): Promise<WeatherFake> {
  const server = await startFaultServer();
  const failures = new Map<WeatherComponent, Fault>();
  const alertsByPoint = new Map<string, readonly FakeAlert[]>([["25.7743,-80.1937", [MIAMI_HURRICANE]]]);

  const respond = (request: RecordedRequest): Fault => {
    const component = componentOf(request);
    if (component === undefined) return faults.status(404);
    const failure = failures.get(component);
    if (failure !== undefined) return failure;
    switch (component) {
      case "geocoding":
        return geocode(request.query);
      case "current":
        return current(request.query);
      case "forecast":
        return daily(request.query);
      case "alerts":
        return alerts(request, alertsByPoint);
    }
  };
  server.on("*", faults.dynamic(respond));

  return {
    url: server.url,
    server,
    fail(component, fault) {
      failures.set(component, fault);
    },
    heal(component) {
      if (component === undefined) failures.clear();
      else failures.delete(component);
    },
    setAlerts(point, list) {
      alertsByPoint.set(point, list);
    },
    requests(component) {
      return server.requests.filter((request) => componentOf(request) === component);
    },
    close: () => server.close(),
  };
}

function componentOf(request: RecordedRequest): WeatherComponent | undefined {
  if (request.pathname === "/v1/search") return "geocoding";
  if (request.pathname === "/alerts/active") return "alerts";
  if (request.pathname !== "/v1/forecast") return undefined;
  if (request.query.has("current")) return "current";
  if (request.query.has("daily")) return "forecast";
  return undefined;
}

/** Open-Meteo: under two characters nothing; otherwise a case-insensitive prefix match; no `results` key when empty. */
function geocode(query: URLSearchParams): Fault {
  const name = (query.get("name") ?? "").trim().toLowerCase();
  const count = Number(query.get("count") ?? "10");
  const results =
    name.length < 2
      ? []
      : FAKE_PLACES.filter((candidate) => candidate.name.toLowerCase().startsWith(name))
          .slice(0, count)
          .map((candidate, index) => ({ id: index + 1, feature_code: "PPL", ...candidate }));
  return faults.ok(results.length === 0 ? { generationtime_ms: 0.2 } : { results, generationtime_ms: 0.4 });
}

function coordinates(query: URLSearchParams): { latitude: number; longitude: number } | undefined {
  const latitude = Number(query.get("latitude"));
  const longitude = Number(query.get("longitude"));
  if (
    !query.has("latitude") ||
    !query.has("longitude") ||
    Number.isNaN(latitude) ||
    Number.isNaN(longitude)
  ) {
    return undefined;
  }
  return { latitude, longitude };
}

function badRequest(reason: string): Fault {
  return faults.json(400, { error: true, reason });
}

function current(query: URLSearchParams): Fault {
  const point = coordinates(query);
  if (!point) return badRequest("Parameter 'latitude' and 'longitude' must be set");
  return faults.ok({
    ...point,
    timezone: "GMT",
    current_units: { temperature_2m: "°C", wind_speed_10m: "km/h", relative_humidity_2m: "%" },
    current: {
      time: "2025-01-15T12:00",
      interval: 900,
      temperature_2m: 21.5,
      weather_code: 2,
      wind_speed_10m: 12.3,
      relative_humidity_2m: 64,
    },
  });
}

function daily(query: URLSearchParams): Fault {
  const point = coordinates(query);
  if (!point) return badRequest("Parameter 'latitude' and 'longitude' must be set");
  const days = Number(query.get("forecast_days") ?? "7");
  if (!Number.isInteger(days) || days < 0 || days > 16) return badRequest("Forecast days is invalid");
  const dates = Array.from({ length: days }, (_, i) =>
    new Date(Date.UTC(2025, 0, 15 + i)).toISOString().slice(0, 10),
  );
  return faults.ok({
    ...point,
    timezone: "GMT",
    daily: {
      time: dates,
      temperature_2m_max: dates.map((_, i) => 20 + i),
      temperature_2m_min: dates.map((_, i) => 10 + i),
      // Open-Meteo leaves far days without a probability.
      precipitation_probability_max: dates.map((_, i) => (i < 10 ? 10 * i : null)),
      weather_code: dates.map((_, i) => [0, 3, 61, 95][i % 4] ?? 0),
    },
  });
}

/** NWS: 403 without a User-Agent; 404 problem+json away from the fake's US places; else a FeatureCollection. */
function alerts(request: RecordedRequest, byPoint: ReadonlyMap<string, readonly FakeAlert[]>): Fault {
  if (request.headers["user-agent"] === undefined || request.headers["user-agent"] === "") {
    return faults.json(403, { title: "Forbidden", detail: "A User-Agent is required" });
  }
  const point = request.query.get("point") ?? "";
  const [lat, lon] = point.split(",").map(Number);
  if (lat === undefined || lon === undefined || Number.isNaN(lat) || Number.isNaN(lon)) {
    return faults.json(400, { title: "Bad Request", status: 400, detail: "Invalid point" });
  }
  const inUs = FAKE_PLACES.some(
    (candidate) =>
      candidate.country_code === "US" &&
      Math.abs(candidate.latitude - lat) < 0.5 &&
      Math.abs(candidate.longitude - lon) < 0.5,
  );
  if (!inUs) {
    return faults.json(404, {
      type: "https://api.weather.gov/problems/NotFound",
      title: "Not Found",
      status: 404,
      detail: `Point ${point} is outside the NWS forecast area`,
    });
  }
  return faults.json(
    200,
    {
      type: "FeatureCollection",
      title: "Current watches, warnings, and advisories",
      features: (byPoint.get(point) ?? []).map((alert, index) => ({
        id: `urn:oid:2.49.0.1.840.0.fake.${index}`,
        type: "Feature",
        geometry: null,
        properties: { ...alert, status: "Actual", messageType: "Alert", areaDesc: "Fake County" },
      })),
    },
    { "content-type": "application/geo+json" },
  );
}

function place(
  name: string,
  latitude: number,
  longitude: number,
  country: string,
  country_code: string,
  admin1: string,
  timezone: string,
): FakePlace {
  return { name, latitude, longitude, country, country_code, admin1, timezone };
}
