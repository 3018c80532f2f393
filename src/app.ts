import cors from "cors";
import express, { type Express, type RequestHandler } from "express";
import { createHealthRouter } from "../routes/health.js";
import { createMcpRouter } from "../routes/mcp.js";
import { createMetricsRouter } from "../routes/metrics.js";
import { createWellKnownRouter } from "../routes/well-known.js";
import { countResponses } from "./http/count-responses.js";
import { httpErrorHandler, notFoundHandler } from "./http/error-handler.js";
import { hostOriginGuard, originAllowed } from "./http/host-origin-guard.js";
import { createRequestLogger } from "./http/request-logger.js";
import { httpRateLimit } from "./limits/http-rate-limit.js";
import type { Services } from "./services.js";

/** Headers a browser-based MCP client must be allowed to send and to read. */
const MCP_REQUEST_HEADERS = [
  "Content-Type",
  "Accept",
  "Authorization",
  "Mcp-Session-Id",
  "MCP-Protocol-Version",
  "Last-Event-ID",
  "X-Request-Id",
];
const MCP_EXPOSED_HEADERS = [
  "Mcp-Session-Id",
  "MCP-Protocol-Version",
  "X-Request-Id",
  "Retry-After",
  "WWW-Authenticate",
];

/**
 * Builds the Express app around the services. It never listens: main.ts does, and tests hand the
 * app to supertest or listen on port 0.
 */
export function createApp(services: Services): Express {
  const { config } = services;
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);

  app.use(countResponses(services.metrics.httpResponses));
  app.use(createRequestLogger(services.logger, { stopping: () => services.lifecycle.stopping }));
  // DNS-rebinding protection and CORS concern the MCP endpoint, which acts on behalf of a client;
  // probes and scrapers reach /health and /metrics by whatever address the platform uses.
  const guard = hostOriginGuard({ allowedHosts: config.allowedHosts, allowedOrigins: config.allowedOrigins });
  const corsHeaders = cors({
    origin: (origin, callback) => {
      callback(null, origin !== undefined && originAllowed(origin, config.allowedOrigins));
    },
    methods: ["GET", "POST", "DELETE", "OPTIONS"],
    allowedHeaders: MCP_REQUEST_HEADERS,
    exposedHeaders: MCP_EXPOSED_HEADERS,
    maxAge: 600,
  });
  // Only browsers send Origin, and only they read CORS headers: other clients skip the work.
  const corsForBrowsers: RequestHandler = (req, res, next) => {
    if (req.headers.origin === undefined) next();
    else corsHeaders(req, res, next);
  };
  app.use(
    createMcpRouter({
      front: [guard, corsForBrowsers],
      authenticate: services.auth.authenticate,
      rateLimit: httpRateLimit(services.rateLimits.http, () => {
        services.metrics.rateLimited.inc({ scope: "http" });
      }),
      maxBodyBytes: config.maxBodyBytes,
      endpoint: services.endpoint,
    }),
  );

  // After /mcp, so the hot path does not walk these routers' layers first.
  app.use(
    createHealthRouter({
      lifecycle: services.lifecycle,
      checks: services.readinessChecks,
      version: services.version,
      startedAt: services.startedAt,
    }),
  );
  app.use(createWellKnownRouter(services.auth.protectedResource));
  // With METRICS_PORT set, main.ts serves /metrics on its own listener (createMetricsApp) instead.
  if (config.metricsEndpoint.port === undefined) {
    app.use(
      createMetricsRouter(services.metrics.registry, { bearerToken: config.metricsEndpoint.bearerToken }),
    );
  }

  app.use(notFoundHandler);
  app.use(httpErrorHandler({ maxBodyBytes: config.maxBodyBytes }));
  return app;
}
