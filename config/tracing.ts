import { z } from "zod";
import { baseUrl } from "./env-values.js";

/**
 * Where spans go. The names are OpenTelemetry's own, so a collector set up for other services
 * configures this one too. Tracing is off unless one of the endpoints is set.
 */
export const tracingEnvShape = {
  OTEL_EXPORTER_OTLP_ENDPOINT: baseUrl.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: baseUrl.optional(),
  OTEL_SERVICE_NAME: z.string().trim().min(1).max(128).default("resilient-mcp"),
};

type TracingEnv = z.output<z.ZodObject<typeof tracingEnvShape>>;

/** The part of Config about traces. */
export type TracingConfig = Readonly<{
  /** Where OTLP/HTTP (JSON) trace exports are POSTed; undefined: tracing off. */
  tracesUrl: string | undefined;
  /** `service.name` of every span. */
  serviceName: string;
}>;

/**
 * As OpenTelemetry specifies: the traces endpoint is used as given; the general endpoint is a base
 * to which the signal's path, v1/traces, is appended.
 */
export function tracingConfigFrom(v: TracingEnv): TracingConfig {
  const tracesUrl =
    v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (v.OTEL_EXPORTER_OTLP_ENDPOINT === undefined ? undefined : `${v.OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces`);
  return Object.freeze({ tracesUrl, serviceName: v.OTEL_SERVICE_NAME });
}
