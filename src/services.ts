import { resolve } from "node:path";
import type { DestinationStream, Logger } from "pino";
import type { Config } from "../config/schema.js";
import manifest from "../package.json" with { type: "json" };
import { createAuthServices, type AuthServices } from "./auth/auth-services.js";
import { DeploymentEngine, failVersionsEndingWith } from "./backends/store/deployment-engine.js";
import { sqliteHealthProbe } from "./backends/store/sqlite-health.js";
import { SqliteStore } from "./backends/store/sqlite-store.js";
import { createUpstreamClient, type UpstreamRequestEvent } from "./backends/upstream/http-client.js";
import { createWeatherClients } from "./backends/weather/weather-clients.js";
import { createWeatherService } from "./backends/weather/weather-service.js";
import { createSharedState } from "./cluster/shared-state.js";
import { createWorkspace } from "./backends/workspace/index.js";
import { HealthMonitor } from "./health/health-monitor.js";
import { evaluateReadiness, type CheckResult, type ReadinessCheck } from "./health/readiness.js";
import { ServerLifecycle } from "./lifecycle.js";
import { createMcpEndpoint } from "./mcp/create-endpoint.js";
import type { McpEndpoint } from "./mcp/endpoint.js";
import type { McpEndpointHooks } from "./mcp/endpoint-hooks.js";
import { createLogger, failureLogger } from "./observability/logger.js";
import { NETWORK_TRANSPORT } from "./observability/metric-labels.js";
import { createMetrics, type Metrics } from "./observability/metrics.js";
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

  const store = SqliteStore.open({
    dataDir: resolve(config.store.dataDir),
    readOnly: config.store.readOnly,
    ...(config.store.maxBytes === undefined ? {} : { maxSizeBytes: config.store.maxBytes }),
    onListenerError: (error) => {
      logger.error({ err: error }, "deployment listener failed");
    },
  });
  const engine = new DeploymentEngine({
    store,
    queuedMs: config.deployments.queuedMs,
    runMs: config.deployments.runMs,
    failureRule: failVersionsEndingWith(config.deployments.failSuffix),
    onError: (error, deploymentId) => {
      metrics.deploymentEngineFailures.inc();
      logger.error({ err: error, deployment_id: deploymentId }, "deployment engine step failed");
    },
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

  const runner = createToolRunner({
    tools: [...createProductToolDefinitions(backends), ...(options.extraTools ?? [])],
    logger: failureLogger(logger),
    metrics,
    defaultTimeoutMs: config.toolTimeoutMs,
    strictSteps: options.strictSteps ?? false,
    anonymousPrincipal: auth.anonymousPrincipal,
  });
  // Sessions shared between replicas when REDIS_URL is set; this process's own otherwise.
  const shared = await createSharedState({
    config: config.redis,
    logger,
    probeIntervalMs: config.operations.storeProbeIntervalMs,
    eventHistory: { count: config.sseEventHistory, ttlMs: config.sessionIdleTimeoutMs },
  });
  if (shared.readiness !== undefined) readinessChecks.push(shared.readiness);
  const endpoint = await createMcpEndpoint({
    server: { name: "resilient-mcp", version: manifest.version },
    runner,
    settings: {
      sessionMode: config.sessionMode,
      jsonResponse: config.jsonResponse,
      streamAfterMs: config.streamAfterMs,
      sseRetryMs: config.sseRetryMs,
      sseEventHistory: config.sseEventHistory,
      sessionIdleTimeoutMs: config.sessionIdleTimeoutMs,
      maxSessions: config.maxSessions,
      requestStateKey: config.requestState.key,
      requestStateTtlSeconds: config.requestState.ttlSeconds,
      conformanceFixtures: config.conformanceFixtures,
    },
    lifecycle,
    logger,
    metrics,
    hooks: endpointHooks(metrics, auth, logger),
    ...(shared.sessions === undefined ? {} : { shared: shared.sessions }),
  });
  built.endpoint = endpoint;

  // A read-only store refuses writes by design: only whether it still answers matters.
  const storeHealth = new HealthMonitor({
    name: "store",
    probe: config.store.readOnly ? () => pingStore(store) : sqliteHealthProbe(store),
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
    async close() {
      auth.close();
      storeHealth.stop();
      await endpoint.close();
      await shared.close();
      engine.stop();
      await store.close();
    },
  };
}

async function pingStore(store: SqliteStore): Promise<CheckResult> {
  try {
    await store.ping();
    return { ok: true };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return {
      ok: false,
      reason: "unreachable",
      message: `The store does not answer reads (${typeof code === "string" ? code : "closed"}).`,
    };
  }
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
