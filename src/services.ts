import { resolve } from "node:path";
import type { DestinationStream, Logger } from "pino";
import type { Config } from "../config/schema.js";
import manifest from "../package.json" with { type: "json" };
import type { ReadinessCheck } from "../routes/health.js";
import { createAuthServices, type AuthServices } from "./auth/auth-services.js";
import { DeploymentEngine, failVersionsEndingWith } from "./backends/store/deployment-engine.js";
import { SqliteStore } from "./backends/store/sqlite-store.js";
import { createUpstreamClient, type UpstreamRequestEvent } from "./backends/upstream/http-client.js";
import { createWeatherClients } from "./backends/weather/weather-clients.js";
import { createWeatherService } from "./backends/weather/weather-service.js";
import { createWorkspace } from "./backends/workspace/index.js";
import { ServerLifecycle } from "./lifecycle.js";
import { createMcpEndpoint } from "./mcp/create-endpoint.js";
import type { McpEndpoint } from "./mcp/endpoint.js";
import type { McpEndpointHooks } from "./mcp/endpoint-hooks.js";
import { createLogger } from "./observability/logger.js";
import { createMetrics, type Metrics } from "./observability/metrics.js";
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
  // The gauge reads the endpoint at scrape time; the endpoint needs the metrics to be built.
  const built: { endpoint?: McpEndpoint } = {};
  const metrics = createMetrics({ activeSessions: () => built.endpoint?.sessionCount ?? 0 });
  const lifecycle = new ServerLifecycle();
  // First: a configuration that would expose the server stops it before any backend opens.
  const auth = await createAuthServices({
    config: config.auth,
    host: config.host,
    logger,
    registry: metrics.registry,
  });
  const countUpstream = (event: UpstreamRequestEvent) => {
    metrics.upstreamRequests.inc({ service: event.service, outcome: event.outcome });
  };

  const store = SqliteStore.open({
    dataDir: resolve(config.store.dataDir),
    readOnly: config.store.readOnly,
    ...(config.store.maxBytes === undefined ? {} : { maxSizeBytes: config.store.maxBytes }),
    onListenerError: (error) => {
      logger.error({ err: error }, "deployment listener failed");
    },
  });
  const deployments = new DeploymentEngine({
    store,
    queuedMs: config.deployments.queuedMs,
    runMs: config.deployments.runMs,
    failureRule: failVersionsEndingWith(config.deployments.failSuffix),
    onError: (error, deploymentId) => {
      logger.error({ err: error, deployment_id: deploymentId }, "deployment engine step failed");
    },
  });
  // A read-only store cannot advance deployments: every engine write would fail.
  if (!config.store.readOnly) {
    const recovered = await deployments.start();
    if (recovered.resumed.length + recovered.interrupted.length > 0) {
      logger.warn(recovered, "deployments left over from the previous run");
    }
  }
  const workspace = await createWorkspace({
    root: resolve(config.workspace.root),
    maxFileBytes: config.workspace.maxFileBytes,
  });
  const breaker = {
    consecutiveFailures: config.upstream.breakerFailures,
    halfOpenAfterMs: config.upstream.breakerHalfOpenMs,
  };
  const upstream = createUpstreamClient({
    service: "upstream-api",
    baseUrl: config.upstream.baseUrl,
    timeoutMs: config.upstream.timeoutMs,
    maxBodyBytes: config.upstream.maxBodyBytes,
    retry: { maxRetries: config.upstream.maxRetries, baseDelayMs: 200, jitter: "full" },
    breaker,
    onRequest: countUpstream,
  });
  const weather = createWeatherService(
    createWeatherClients({
      geocodingBaseUrl: config.weather.geocodingUrl,
      forecastBaseUrl: config.weather.forecastUrl,
      alertsBaseUrl: config.weather.alertsUrl,
      userAgent: config.weather.userAgent,
      timeoutMs: config.weather.timeoutMs,
      retry: { maxRetries: config.upstream.maxRetries, baseDelayMs: 200, jitter: "full" },
      breaker,
      onRequest: countUpstream,
    }),
  );
  const backends: ToolBackends = { store, deployments, workspace, upstream, weather };

  const runner = createToolRunner({
    tools: [...createProductToolDefinitions(backends), ...(options.extraTools ?? [])],
    logger,
    metrics,
    defaultTimeoutMs: config.toolTimeoutMs,
    strictSteps: options.strictSteps ?? false,
    anonymousPrincipal: auth.anonymousPrincipal,
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
  });
  built.endpoint = endpoint;

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
    readinessChecks: [
      {
        name: "store",
        check: async () => {
          await store.ping();
          return true;
        },
      },
    ],
    async close() {
      auth.close();
      await endpoint.close();
      deployments.stop();
      await store.close();
    },
  };
}

/**
 * Counts and logs what the MCP endpoint reports, with label values from closed sets only. A session
 * presented by another principal is an authentication failure: counted and logged with auth's.
 */
function endpointHooks(metrics: Metrics, auth: AuthServices, logger: Logger): McpEndpointHooks {
  return {
    onRequestDone(event) {
      const errorType =
        event.errorCode !== undefined ? String(event.errorCode) : event.toolError ? "tool_error" : "";
      metrics.operationDuration.observe(
        { mcp_method_name: event.method, gen_ai_tool_name: event.toolName ?? "", error_type: errorType },
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
