import { resolve } from "node:path";
import type { DestinationStream, Logger } from "pino";
import type { Config } from "../config/schema.js";
import manifest from "../package.json" with { type: "json" };
import { createAuthServices, type AuthServices } from "./auth/auth-services.js";
import { DeploymentEngine, failVersionsEndingWith } from "./backends/store/deployment-engine.js";
import { openConfiguredStore } from "./backends/store/open-store.js";
import { createUpstreamClient, type UpstreamRequestEvent } from "./backends/upstream/http-client.js";
import { createWeatherClients } from "./backends/weather/weather-clients.js";
import { createWeatherService } from "./backends/weather/weather-service.js";
import { createSharedState } from "./cluster/shared-state.js";
import { createWorkspace } from "./backends/workspace/index.js";
import { HealthMonitor } from "./health/health-monitor.js";
import { evaluateReadiness, type ReadinessCheck } from "./health/readiness.js";
import { ServerLifecycle } from "./lifecycle.js";
import {
  createRateBudget,
  memoryRateLimiterBackend,
  type RateBudget,
  type RateLimiterBackend,
} from "./limits/rate-budget.js";
import { CallerSlots } from "./limits/caller-slots.js";
import { createMcpEndpoint } from "./mcp/create-endpoint.js";
import type { McpEndpoint } from "./mcp/endpoint.js";
import type { McpEndpointHooks } from "./mcp/endpoint-hooks.js";
import { createLogger, failureLogger } from "./observability/logger.js";
import { NETWORK_TRANSPORT } from "./observability/metric-labels.js";
import { createMetrics, type Metrics } from "./observability/metrics.js";
import type { OtlpTracing } from "./observability/tracing/otlp-tracing.js";
import type { CircuitSource } from "./observability/upstream-metrics.js";
import { createProductToolDefinitions } from "./tools/product-catalog.js";
import type { ToolBackends } from "./tools/tool-backends.js";
import type { AnyToolDefinition } from "./tools/tool-definition.js";
import { createToolRunner } from "./tools/tool-runner.js";

/** Everything the app is made of, built once from the configuration. */
export interface Services {
  readonly config: Config;
  readonly version: string;
  readonly startedAt: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly lifecycle: ServerLifecycle;
  readonly auth: AuthServices;
  readonly backends: ToolBackends;
  /** Everything MCP on HTTP: both protocol eras, sessions, transports. */
  readonly endpoint: McpEndpoint;
  readonly readinessChecks: readonly ReadinessCheck[];
  /** Per-principal budgets: HTTP requests, and tool cost. */
  readonly rateLimits: { readonly http: RateBudget; readonly tool: RateBudget };
  /** Closes sessions and backends; the HTTP server is main's to close. */
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** Where log lines go (stdout by default); tests pass a capture. */
  readonly logDestination?: DestinationStream;
  /** A developer's own tools, served beside the product's with the same error discipline. */
  readonly extraTools?: readonly AnyToolDefinition[];
  /** Fail a call whose recovery or next steps cannot be executed, instead of dropping them (tests). */
  readonly strictSteps?: boolean;
  /** Where rate limits count: Redis when REDIS_URL is set, this process's memory otherwise. */
  readonly rateLimiterBackend?: RateLimiterBackend;
}

/** The composition root: the one place that decides which implementation each part gets. */
export async function createServices(config: Config, options: ServiceOptions = {}): Promise<Services> {
  const logger = createLogger({ level: config.logLevel, destination: options.logDestination });
  const lifecycle = new ServerLifecycle();
  // Filled in below (the engine and the endpoint too); the gauges read them only at scrape time.
  const built: { endpoint?: McpEndpoint } = {};
  const circuits: CircuitSource[] = [];
  const readinessChecks: ReadinessCheck[] = [];
  const metrics = createMetrics({
    activeSessions: () => built.endpoint?.sessionCount ?? 0,
    sessionLimit: config.maxSessions,
    circuits: () => circuits,
    stalledDeployments: () => engine.stalledCount,
    readiness: () => evaluateReadiness(readinessChecks, lifecycle.stopping),
  });
  const countUpstream = (event: UpstreamRequestEvent) => {
    metrics.upstreamRequests.inc({ upstream_service: event.service, outcome: event.outcome });
  };

  // First: a configuration that would expose the server stops it before any backend opens.
  const auth = await createAuthServices({
    config: config.auth,
    host: config.host,
    logger,
    failures: metrics.authFailures,
  });

  const { store, checkName, probe, claims } = await openConfiguredStore(config, logger);
  const engine = new DeploymentEngine({
    store,
    queuedMs: config.deployments.queuedMs,
    runMs: config.deployments.runMs,
    failureRule: failVersionsEndingWith(config.deployments.failSuffix),
    onError: (error, deploymentId) => {
      metrics.deploymentEngineFailures.inc();
      logger.error({ err: error, deployment_id: deploymentId }, "deployment engine step failed");
    },
    ...(claims === undefined ? {} : { claims }),
  });
  // A read-only store cannot advance deployments: every engine write would fail.
  if (!config.store.readOnly) {
    const recovered = await engine.start();
    if (recovered.resumed.length + recovered.interrupted.length > 0) {
      logger.warn(recovered, "deployments left over from the previous run");
    }
  }
  const workspace = await createWorkspace({
    root: resolve(config.workspace.root),
    maxFileBytes: config.workspace.maxFileBytes,
  });
  const upstream = createUpstreamClient({
    service: "upstream-api",
    baseUrl: config.upstream.baseUrl,
    timeoutMs: config.upstream.timeoutMs,
    maxBodyBytes: config.upstream.maxBodyBytes,
    retry: { maxRetries: config.upstream.maxRetries, baseDelayMs: 200, jitter: "full" },
    breaker: {
      consecutiveFailures: config.upstream.breakerFailures,
      halfOpenAfterMs: config.upstream.breakerHalfOpenMs,
    },
    onRequest: countUpstream,
  });
  const weatherClients = createWeatherClients({
    geocodingBaseUrl: config.weather.geocodingUrl,
    forecastBaseUrl: config.weather.forecastUrl,
    alertsBaseUrl: config.weather.alertsUrl,
    userAgent: config.weather.userAgent,
    timeoutMs: config.weather.timeoutMs,
    retry: { maxRetries: config.weather.maxRetries, baseDelayMs: 200, jitter: "full" },
    breaker: {
      consecutiveFailures: config.weather.breakerFailures,
      halfOpenAfterMs: config.weather.breakerHalfOpenMs,
    },
    onRequest: countUpstream,
  });
  const weather = createWeatherService(weatherClients);
  for (const client of [upstream, weatherClients.geocoding, weatherClients.forecast, weatherClients.alerts]) {
    circuits.push(client);
    metrics.declareService(client.service);
  }
  const backends: ToolBackends = { store, deployments: engine, workspace, upstream, weather };

  // Sessions and rate limits shared between replicas when REDIS_URL is set; this process's otherwise.
  const shared = await createSharedState({
    config: config.redis,
    logger,
    probeIntervalMs: config.operations.storeProbeIntervalMs,
    eventHistory: {
      count: config.sseEventHistory,
      bytes: config.limits.eventHistoryBytes,
      ttlMs: config.sessionIdleTimeoutMs,
    },
  });
  if (shared.readiness !== undefined) readinessChecks.push(shared.readiness);
  const rateLimits = createRateLimits(
    config,
    options.rateLimiterBackend ?? shared.rateLimiterBackend ?? memoryRateLimiterBackend,
    logger,
  );
  const tracing = await startTracing(config, auth.anonymousPrincipal.id, logger);
  const runner = createToolRunner({
    tools: [...createProductToolDefinitions(backends), ...(options.extraTools ?? [])],
    logger: failureLogger(logger),
    metrics,
    defaultTimeoutMs: config.toolTimeoutMs,
    strictSteps: options.strictSteps ?? false,
    anonymousPrincipal: auth.anonymousPrincipal,
    maxItemsPerPost: config.limits.maxItemsPerPost,
    ...(config.limits.maxConcurrentCallsPerPrincipal === 0
      ? {}
      : { callerSlots: new CallerSlots(config.limits.maxConcurrentCallsPerPrincipal) }),
    maxResultBytes: config.limits.maxResultBytes,
    toolBudget: {
      budget: rateLimits.tool,
      onLimited: () => {
        metrics.rateLimited.inc({ scope: "tool" });
      },
    },
  });
  const endpoint = await createMcpEndpoint({
    server: { name: "resilient-mcp", version: manifest.version },
    runner,
    settings: {
      sessionMode: config.sessionMode,
      jsonResponse: config.jsonResponse,
      streamAfterMs: config.streamAfterMs,
      sseRetryMs: config.sseRetryMs,
      sseEventHistory: config.sseEventHistory,
      sseEventHistoryBytes: config.limits.eventHistoryBytes,
      sseEventHistoryTotalBytes: config.limits.eventHistoryTotalBytes,
      sessionIdleTimeoutMs: config.sessionIdleTimeoutMs,
      sessionMaxLifetimeMs: config.limits.sessionMaxLifetimeMs,
      maxSessions: config.maxSessions,
      maxSessionsPerPrincipal: Math.min(config.limits.maxSessionsPerPrincipal, config.maxSessions),
      requestStateKey: config.requestState.key,
      requestStateTtlSeconds: config.requestState.ttlSeconds,
      conformanceFixtures: config.conformanceFixtures,
    },
    lifecycle,
    logger,
    metrics,
    hooks: {
      ...endpointHooks(metrics, auth, logger),
      ...(tracing === undefined ? {} : { onRequestStarted: tracing.onRequestStarted }),
    },
    ...(shared.sessions === undefined ? {} : { shared: shared.sessions }),
  });
  built.endpoint = endpoint;

  const storeHealth = new HealthMonitor({
    name: checkName,
    probe,
    intervalMs: config.operations.storeProbeIntervalMs,
    logger,
    onHealthy: () => {
      engine.resumeStalled().catch((error: unknown) => {
        logger.warn({ err: error }, "resuming stalled deployments failed; trying again after the next probe");
      });
    },
  });
  await storeHealth.start();
  readinessChecks.push(storeHealth);

  return {
    config,
    version: manifest.version,
    startedAt: Date.now(),
    logger,
    metrics,
    lifecycle,
    auth,
    backends,
    endpoint,
    readinessChecks,
    rateLimits,
    async close() {
      auth.close();
      storeHealth.stop();
      await endpoint.close();
      // Gives a shared store's claims up, so another replica carries the deployments on at once.
      await engine.handOver().catch((error: unknown) => {
        logger.warn({ err: error }, "handing deployments over failed; their leases expire instead");
      });
      // After the endpoint: the spans of the calls it answered while closing are exported too.
      await tracing?.shutdown();
      await shared.close();
      await store.close();
    },
  };
}

/** The HTTP and tool budgets of RATE_LIMIT_*, counted by `backend`. */
function createRateLimits(config: Config, backend: RateLimiterBackend, logger: Logger) {
  const onStoreError = (error: unknown) => {
    logger.warn({ err: error }, "rate limit store failed; the request was let through");
  };
  const windowMs = config.limits.rateWindowMs;
  return {
    http: createRateBudget(backend, {
      name: "http",
      points: config.limits.requestsPerWindow,
      windowMs,
      onStoreError,
    }),
    tool: createRateBudget(backend, {
      name: "tool",
      points: config.limits.toolCostPerWindow,
      windowMs,
      onStoreError,
    }),
  };
}

/**
 * Tracing when an OTLP endpoint is configured. The OpenTelemetry SDK is imported only then: with
 * tracing off, no SDK is loaded and a request costs nothing more.
 */
async function startTracing(
  config: Config,
  anonymousPrincipal: string,
  logger: Logger,
): Promise<OtlpTracing | undefined> {
  const { tracesUrl, serviceName } = config.tracing;
  if (tracesUrl === undefined) return undefined;
  const { startOtlpTracing } = await import("./observability/tracing/otlp-tracing.js");
  return startOtlpTracing({
    tracesUrl,
    serviceName,
    serviceVersion: manifest.version,
    anonymousPrincipal,
    onShutdownError: (error) => {
      logger.warn({ err: error, traces_url: tracesUrl }, "the last spans could not be exported at shutdown");
    },
  });
}

/**
 * Counts and logs what the MCP endpoint reports, with label values from closed sets only. A session
 * presented by another principal is an authentication failure: counted and logged with auth's.
 */
function endpointHooks(metrics: Metrics, auth: AuthServices, logger: Logger): McpEndpointHooks {
  return {
    onRequestDone(event) {
      metrics.operationDuration.observe(
        {
          mcp_method_name: event.method,
          gen_ai_tool_name: event.toolName ?? "",
          error_type: event.errorType,
          rpc_response_status_code: event.errorCode === undefined ? "" : String(event.errorCode),
          mcp_protocol_version: event.protocolVersion,
          network_transport: NETWORK_TRANSPORT,
        },
        event.durationSeconds,
      );
    },
    onSessionRefused({ reason, sessionId, principal }) {
      if (reason !== "session_mismatch") {
        metrics.sessionsRejected.inc({ reason });
        return;
      }
      auth.failures.inc({ reason });
      logger.warn(
        { mcp_session_id: sessionId, principal: principal?.id ?? auth.anonymousPrincipal.id },
        "session presented by a principal other than the one that opened it; answered as unknown",
      );
    },
  };
}
