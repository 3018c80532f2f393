import { Registry } from "prom-client";
import type { ReadinessReport } from "../health/readiness.js";
import { createAuthFailuresCounter } from "./auth-failures.js";
import { defaultMetrics } from "./default-metrics.js";
import { deploymentEngineMetrics, type DeploymentEngineMetrics } from "./deployment-engine-metrics.js";
import { httpResponsesCounter, type HttpResponseLabel } from "./http-responses.js";
import type { Counter, Histogram } from "prom-client";
import { operationDurationHistogram, type OperationLabel } from "./operation-duration.js";
import { readinessMetrics } from "./readiness-metrics.js";
import { createRateLimitedCounter } from "./rate-limit-metrics.js";
import { sessionMetrics, type SessionMetrics } from "./session-metrics.js";
import { toolCallCounters, type ToolCallCounters } from "./tool-call-counters.js";
import { upstreamMetrics, type CircuitSource, type UpstreamMetrics } from "./upstream-metrics.js";

/**
 * Every metric the server exports, on a registry owned by one app instance (never the global
 * one, so tests and several apps in one process do not collide). Each family is defined in its
 * own file; docs/metrics.md lists them all. Labels are declared up front and always come from
 * closed sets: never a session id, request id or user input.
 */
export interface Metrics extends ToolCallCounters, SessionMetrics, UpstreamMetrics, DeploymentEngineMetrics {
  readonly registry: Registry;
  /** mcp_server_operation_duration_seconds; see operation-duration.ts for the labels. */
  readonly operationDuration: Histogram<OperationLabel>;
  /** http_server_responses_total{http_request_method, http_route, http_response_status_code}. */
  readonly httpResponses: Counter<HttpResponseLabel>;
  /** mcp_auth_failures_total{reason}. */
  readonly authFailures: Counter<"reason">;
  /** mcp_rate_limited_total{scope}. */
  readonly rateLimited: Counter<"scope">;
}

/**
 * What the gauges read at scrape time. Each is a function because the parts it reads are built
 * after the metrics (the composition root fills them in); a missing one reads as "none".
 */
export interface MetricSources {
  readonly activeSessions?: () => number;
  /** MAX_SESSIONS, exported as mcp_sessions_limit. */
  readonly sessionLimit?: number;
  readonly circuits?: () => readonly CircuitSource[];
  readonly stalledDeployments?: () => number;
  readonly readiness?: () => Promise<ReadinessReport>;
  /** Process and Node.js runtime metrics; true unless false (tests turn them off). */
  readonly defaultMetrics?: boolean;
}

/** Builds every family on a fresh registry. */
export function createMetrics(sources: MetricSources = {}): Metrics {
  const registry = new Registry();
  if (sources.defaultMetrics !== false) defaultMetrics(registry);
  if (sources.readiness !== undefined) readinessMetrics(registry, sources.readiness);
  return {
    registry,
    operationDuration: operationDurationHistogram(registry),
    ...toolCallCounters(registry),
    ...sessionMetrics(registry, sources.activeSessions ?? (() => 0), sources.sessionLimit),
    httpResponses: httpResponsesCounter(registry),
    authFailures: createAuthFailuresCounter(registry),
    rateLimited: createRateLimitedCounter(registry),
    ...upstreamMetrics(registry, sources.circuits ?? (() => [])),
    ...deploymentEngineMetrics(registry, sources.stalledDeployments ?? (() => 0)),
  };
}
