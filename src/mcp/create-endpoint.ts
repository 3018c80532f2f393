import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { ServerLifecycle } from "../lifecycle.js";
import type { Metrics } from "../observability/metrics.js";
import type { ToolRunner } from "../tools/tool-runner.js";
import { createConformanceFixtureTools, registerConformanceFixtures } from "./conformance/index.js";
import { McpEndpoint } from "./endpoint.js";
import { EventHistoryBudget } from "./event-history-budget.js";
import { BoundedEventStore } from "./event-store.js";
import type { McpEndpointHooks } from "./endpoint-hooks.js";
import { LEGACY_VERSIONS } from "./http-checks.js";
import { RequestStates } from "./input/request-state.js";
import { MODERN_VERSIONS } from "./modern/request-checks.js";
import type { ServerIdentity } from "./modern/result-encoding.js";
import { requestEvents } from "./request-metrics.js";
import { createServerFactory, INSTRUCTIONS } from "./server-factory.js";
import { SessionManager, type SessionManagerOptions } from "./session-manager.js";
import { SessionRoutes } from "./session-routes.js";
import { StatelessDispatch } from "./stateless/stateless-dispatch.js";
import { ToolDispatch } from "./tool-dispatch.js";

/** How the endpoint serves, from the configuration. */
export interface McpSettings {
  readonly sessionMode: "stateful" | "stateless";
  readonly jsonResponse: boolean;
  readonly streamAfterMs: number;
  readonly sseRetryMs: number;
  readonly sseEventHistory: number;
  /** Bytes of event history per session, and over all sessions. */
  readonly sseEventHistoryBytes: number;
  readonly sseEventHistoryTotalBytes: number;
  readonly sessionIdleTimeoutMs: number;
  readonly sessionMaxLifetimeMs: number;
  readonly maxSessions: number;
  readonly maxSessionsPerPrincipal: number;
  /** Signs requestState; undefined: a random key for this process. */
  readonly requestStateKey: string | undefined;
  readonly requestStateTtlSeconds: number;
  /** Register the official conformance suite's fixture tools, resources and prompts. */
  readonly conformanceFixtures: boolean;
}

export interface McpEndpointOptions {
  readonly server: ServerIdentity;
  readonly runner: ToolRunner;
  readonly settings: McpSettings;
  readonly lifecycle: ServerLifecycle;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly hooks?: McpEndpointHooks;
  /** Session state shared between replicas (Redis); absent: this process only. */
  readonly shared?: Pick<SessionManagerOptions, "registry" | "streamsFor" | "quotas">;
}

const KEEP_ALIVE_MS = 15_000;

/**
 * Builds the endpoint and everything behind it: the tool dispatch over the runner (and the
 * fixtures), the shared server of stateless requests (connected here), and in stateful mode the
 * session manager. The only place that decides how MCP is served.
 */
export async function createMcpEndpoint(options: McpEndpointOptions): Promise<McpEndpoint> {
  const { settings, logger } = options;
  const hooks = options.hooks ?? {};
  const tools = new ToolDispatch(
    options.runner,
    settings.conformanceFixtures ? createConformanceFixtureTools() : [],
  );
  const factory = createServerFactory({
    name: options.server.name,
    version: options.server.version,
    tools,
    ...(settings.conformanceFixtures ? { extend: registerConformanceFixtures } : {}),
  });
  const supportedVersions = [...MODERN_VERSIONS, ...LEGACY_VERSIONS];
  const statelessObserver = requestEvents(hooks, "stateless", tools.isKnownTool, supportedVersions);
  const stateless = new StatelessDispatch({
    factory,
    server: options.server,
    instructions: INSTRUCTIONS,
    supportedVersions,
    states: new RequestStates({
      key: settings.requestStateKey ?? randomBytes(32),
      ttlSeconds: settings.requestStateTtlSeconds,
    }),
    observer: statelessObserver,
    jsonOnly: settings.jsonResponse,
    streamAfterMs: settings.streamAfterMs,
    keepAliveMs: KEEP_ALIVE_MS,
    onError: (error) => {
      logger.warn({ err: error }, "stateless transport error");
    },
  });
  await stateless.start();
  let sessions: { manager: SessionManager; routes: SessionRoutes } | undefined;
  if (settings.sessionMode === "stateful") {
    const shared = new EventHistoryBudget(settings.sseEventHistoryTotalBytes);
    const manager = new SessionManager({
      createServer: () => factory.session(),
      logger,
      metrics: options.metrics,
      observer: requestEvents(hooks, "session", tools.isKnownTool, supportedVersions),
      idleTimeoutMs: settings.sessionIdleTimeoutMs,
      maxLifetimeMs: settings.sessionMaxLifetimeMs,
      maxSessions: settings.maxSessions,
      maxSessionsPerPrincipal: settings.maxSessionsPerPrincipal,
      jsonResponse: settings.jsonResponse,
      streamAfterMs: settings.streamAfterMs,
      sseRetryMs: settings.sseRetryMs,
      ...(settings.sseEventHistory > 0
        ? {
            createEventStore: () =>
              new BoundedEventStore({
                maxEvents: settings.sseEventHistory,
                maxBytes: settings.sseEventHistoryBytes,
                shared,
              }),
          }
        : {}),
      ...options.shared,
    });
    manager.start();
    sessions = { manager, routes: new SessionRoutes(manager, options.lifecycle, hooks) };
  }
  return new McpEndpoint({
    lifecycle: options.lifecycle,
    stateless,
    sessions,
    observer: statelessObserver,
    supportedVersions,
  });
}
