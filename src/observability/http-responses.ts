import { Counter, type Registry } from "prom-client";

/** The labels of http_server_responses_total, after the OpenTelemetry HTTP attributes. */
export type HttpResponseLabel = "http_request_method" | "http_route" | "http_response_status_code";

/**
 * http_server_responses_total: every HTTP response by method, route and status, including the
 * ones no MCP method is behind (401, 403, 404, 413, 429, 503…). Route and method come from closed
 * sets (see `httpRouteLabel`), so a client cannot mint label values with odd paths.
 */
export function httpResponsesCounter(registry: Registry): Counter<HttpResponseLabel> {
  const counter = new Counter({
    name: "http_server_responses_total",
    help: "HTTP responses by request method, route and status code",
    labelNames: ["http_request_method", "http_route", "http_response_status_code"],
    registers: [registry],
  });
  // The refusals alerts count start at zero: increase() cannot see the first burst of a series
  // that appears with it.
  for (const method of ["GET", "POST"]) {
    for (const status of REFUSAL_STATUSES) {
      counter.inc({ http_request_method: method, http_route: "/mcp", http_response_status_code: status }, 0);
    }
  }
  return counter;
}

/** Unauthenticated, forbidden, too many requests: the /mcp statuses alert rules watch. */
const REFUSAL_STATUSES = ["401", "403", "429"] as const;

const ROUTES = new Set(["/mcp", "/health", "/ready", "/metrics"]);
const METHODS = new Set(["GET", "POST", "DELETE", "OPTIONS", "HEAD", "PUT", "PATCH"]);

/** The route label of a request path: a path the server serves, "/.well-known", or "other". */
export function httpRouteLabel(path: string): string {
  if (ROUTES.has(path)) return path;
  if (path.startsWith("/.well-known/")) return "/.well-known";
  return "other";
}

/** The method label: a standard method, or "_OTHER" as OpenTelemetry names the rest. */
export function httpMethodLabel(method: string | undefined): string {
  return method !== undefined && METHODS.has(method) ? method : "_OTHER";
}
