import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { McpRequestFinish, McpRequestStart } from "../../mcp/endpoint-hooks.js";
import { requestSpans } from "./request-spans.js";

export interface OtlpTracingOptions {
  /** The full URL spans are POSTed to (…/v1/traces). */
  readonly tracesUrl: string;
  readonly serviceName: string;
  readonly serviceVersion: string;
  /** The principal id of unauthenticated callers (the tool runner's, so spans and logs agree). */
  readonly anonymousPrincipal: string;
  /** The last export failed at shutdown (the collector is down or silent): its spans are lost. */
  readonly onShutdownError: (error: unknown) => void;
}

/**
 * How long one export may take. Shutdown waits for the last one, and must fit in the shutdown
 * grace period even when the collector does not answer (the SDK's own default is 30 s).
 */
const EXPORT_TIMEOUT_MS = 3_000;

/** Tracing while it runs: the endpoint hook that makes the spans, and the shutdown that flushes them. */
export interface OtlpTracing {
  readonly onRequestStarted: (start: McpRequestStart) => McpRequestFinish;
  /** Exports what is still buffered, then stops; never rejects (see onShutdownError). */
  shutdown(): Promise<void>;
}

/**
 * Spans batched and exported over OTLP/HTTP as JSON. The provider is this server's own, never
 * registered as the process-wide global: nothing else in the process is traced through it.
 */
export function startOtlpTracing(options: OtlpTracingOptions): OtlpTracing {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      "service.name": options.serviceName,
      "service.version": options.serviceVersion,
    }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: options.tracesUrl, timeoutMillis: EXPORT_TIMEOUT_MS }),
        exportTimeoutMillis: EXPORT_TIMEOUT_MS,
      }),
    ],
  });
  return {
    onRequestStarted: requestSpans(
      provider.getTracer("resilient-mcp", options.serviceVersion),
      options.anonymousPrincipal,
    ),
    shutdown: () => provider.shutdown().catch(options.onShutdownError),
  };
}
