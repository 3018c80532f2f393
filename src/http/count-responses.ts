import type { Counter } from "prom-client";
import type { RequestHandler } from "express";
import { httpMethodLabel, httpRouteLabel, type HttpResponseLabel } from "../observability/http-responses.js";

/**
 * Counts every response in http_server_responses_total when it ends, whatever answered it (a
 * route, the host guard, the error handler). A request the client abandoned before any header
 * went out is counted with status "0", so aborted requests are visible rather than missing.
 */
export function countResponses(counter: Counter<HttpResponseLabel>): RequestHandler {
  return (req, res, next) => {
    res.once("close", () => {
      counter.inc({
        http_request_method: httpMethodLabel(req.method),
        http_route: httpRouteLabel(pathOf(req.originalUrl)),
        http_response_status_code: res.headersSent ? String(res.statusCode) : "0",
      });
    });
    next();
  };
}

function pathOf(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}
