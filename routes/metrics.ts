import { createHash, timingSafeEqual } from "node:crypto";
import { Router, type RequestHandler } from "express";
import type { Registry } from "prom-client";
import { JsonRpcCode, writeJsonRpcError } from "../src/http/json-rpc-error.js";

/**
 * GET /metrics: the app's own registry in the Prometheus text format. With a bearer token
 * configured (METRICS_BEARER_TOKEN), a scrape must present it.
 */
export function createMetricsRouter(registry: Registry, options: { bearerToken?: string } = {}): Router {
  const router = Router();
  const guard = options.bearerToken === undefined ? [] : [requireBearer(options.bearerToken)];
  router.get("/metrics", ...guard, async (_req, res) => {
    const body = await registry.metrics();
    res.setHeader("Content-Type", registry.contentType);
    res.send(body);
  });
  return router;
}

/** Compares digests in constant time, so neither the token nor its length leaks through timing. */
function requireBearer(token: string): RequestHandler {
  const expected = createHash("sha256").update(token).digest();
  return (req, res, next) => {
    const presented = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? "")?.[1];
    if (
      presented !== undefined &&
      timingSafeEqual(createHash("sha256").update(presented).digest(), expected)
    ) {
      next();
      return;
    }
    res.setHeader("WWW-Authenticate", 'Bearer realm="metrics"');
    writeJsonRpcError(
      res,
      401,
      JsonRpcCode.serverError,
      "Unauthorized: /metrics needs the metrics bearer token",
      {
        suggestion:
          "Scrape with Authorization: Bearer <METRICS_BEARER_TOKEN> (Prometheus: authorization.credentials_file).",
      },
    );
  };
}
