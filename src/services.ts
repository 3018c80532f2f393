import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { DestinationStream, Logger } from "pino";
import type { Config } from "../config/schema.js";
import manifest from "../package.json" with { type: "json" };
import type { ReadinessCheck } from "../routes/health.js";
import { ServerLifecycle } from "./lifecycle.js";
import { createConformanceFixtureTools, registerConformanceFixtures } from "./mcp/conformance/index.js";
import { createServerFactory } from "./mcp/server-factory.js";
import { SessionManager } from "./mcp/session-manager.js";
import { ToolDispatch } from "./mcp/tool-dispatch.js";
import { createLogger } from "./observability/logger.js";
import { createMetrics, type Metrics } from "./observability/metrics.js";
import { createProductTools } from "./tools/product-tools.js";

/** Everything the app is made of, built once from the configuration. */
export interface Services {
  readonly config: Config;
  readonly version: string;
  readonly startedAt: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly lifecycle: ServerLifecycle;
  readonly tools: ToolDispatch;
  readonly createServer: () => McpServer;
  /** Stateful mode only. */
  readonly sessions: SessionManager | undefined;
  readonly readinessChecks: readonly ReadinessCheck[];
  /** Closes sessions and backends; the HTTP server is main's to close. */
  close(): Promise<void>;
}

/** The composition root: the one place that decides which implementation each part gets. */
export function createServices(
  config: Config,
  options: { logDestination?: DestinationStream } = {},
): Services {
  const logger = createLogger({ level: config.logLevel, destination: options.logDestination });
  let sessions: SessionManager | undefined;
  const metrics = createMetrics({ activeSessions: () => sessions?.size ?? 0 });
  const lifecycle = new ServerLifecycle();
  const version = manifest.version;

  const product = createProductTools({ logger, metrics });
  const tools = new ToolDispatch(product, config.conformanceFixtures ? createConformanceFixtureTools() : []);
  const createServer = createServerFactory({
    name: "resilient-mcp",
    version,
    tools,
    extend: config.conformanceFixtures ? registerConformanceFixtures : undefined,
  });

  if (config.sessionMode === "stateful") {
    sessions = new SessionManager({
      createServer,
      logger,
      metrics,
      isKnownTool: tools.isKnownTool,
      idleTimeoutMs: config.sessionIdleTimeoutMs,
      maxSessions: config.maxSessions,
      jsonResponse: config.jsonResponse,
      sseRetryMs: config.sseRetryMs,
      sseEventHistory: config.sseEventHistory,
    });
    sessions.start();
  }

  return {
    config,
    version,
    startedAt: Date.now(),
    logger,
    metrics,
    lifecycle,
    tools,
    createServer,
    sessions,
    readinessChecks: [],
    async close() {
      await sessions?.closeAll();
    },
  };
}
