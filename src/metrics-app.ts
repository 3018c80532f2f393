import express, { type Express } from "express";
import { createMetricsRouter } from "../routes/metrics.js";
import { httpErrorHandler, notFoundHandler } from "./http/error-handler.js";
import type { Services } from "./services.js";

/**
 * The app of the metrics listener (METRICS_PORT): GET /metrics only, so the scrape port exposes
 * nothing else and the MCP port no metrics. Like createApp, it never listens.
 */
export function createMetricsApp(services: Services): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(
    createMetricsRouter(services.metrics.registry, {
      bearerToken: services.config.metricsEndpoint.bearerToken,
    }),
  );
  app.use(notFoundHandler);
  app.use(httpErrorHandler({ maxBodyBytes: services.config.maxBodyBytes }));
  return app;
}
