import { z } from "zod";
import { wholeNumber } from "./env-values.js";

/** Where /metrics is served and whether a scraper must present a token. */
export const metricsEndpointEnvShape = {
  METRICS_PORT: wholeNumber(1, 65535).optional(),
  METRICS_BEARER_TOKEN: z
    .string()
    .trim()
    .min(16, { error: "expected a random token of at least 16 characters" })
    .optional(),
};

type MetricsEndpointEnv = z.output<z.ZodObject<typeof metricsEndpointEnvShape>>;

/** The part of Config about the /metrics endpoint. */
export type MetricsEndpointConfig = Readonly<{
  /** Serve /metrics on this port (on HOST) instead of the MCP port. */
  port: number | undefined;
  /** When set, /metrics answers only `Authorization: Bearer <token>`. */
  bearerToken: string | undefined;
}>;

/** Maps the validated variables to MetricsEndpointConfig, frozen. */
export function metricsEndpointConfigFrom(v: MetricsEndpointEnv): MetricsEndpointConfig {
  return Object.freeze({ port: v.METRICS_PORT, bearerToken: v.METRICS_BEARER_TOKEN });
}
