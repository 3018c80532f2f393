import { authConfigFrom } from "./auth.js";
import { metricsEndpointConfigFrom } from "./metrics-endpoint.js";
import { operationsConfig } from "./operations.js";
import { databaseConfig } from "./database.js";
import { requestStateConfigFrom } from "./request-state.js";
import { limitsConfig } from "./limits.js";
import { redisConfigFrom } from "./redis.js";
import { configSchema, type Config } from "./schema.js";
import { tracingConfigFrom } from "./tracing.js";
import { weatherConfig } from "./weather.js";

/** Raised when the environment holds bad values; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * Reads the configuration from an environment-like record, validates it once and freezes it.
 * Blank values count as unset, so `PORT=` falls back to the default rather than failing.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const known = Object.keys(configSchema.shape);
  const input: Record<string, string> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined && value.trim() !== "") input[key] = value;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "environment");
      return `${name}=${JSON.stringify(input[name] ?? "")}: ${issue.message}`;
    });
    throw new ConfigError([...new Set(problems)]);
  }
  const v = parsed.data;
  return Object.freeze({
    port: v.PORT,
    host: v.HOST,
    logLevel: v.LOG_LEVEL,
    sessionMode: v.MCP_SESSION_MODE,
    jsonResponse: v.MCP_JSON_RESPONSE,
    streamAfterMs: v.MCP_STREAM_AFTER_MS,
    conformanceFixtures: v.MCP_CONFORMANCE_FIXTURES,
    allowedHosts: Object.freeze([...v.ALLOWED_HOSTS]),
    allowedOrigins: Object.freeze([...v.ALLOWED_ORIGINS]),
    sessionIdleTimeoutMs: v.SESSION_IDLE_TIMEOUT_MS,
    maxSessions: v.MAX_SESSIONS,
    shutdownGraceMs: v.SHUTDOWN_GRACE_MS,
    maxBodyBytes: v.MAX_BODY_BYTES,
    sseRetryMs: v.SSE_RETRY_MS,
    sseEventHistory: v.SSE_EVENT_HISTORY,
    toolTimeoutMs: v.TOOL_TIMEOUT_MS,
    store: Object.freeze({
      dataDir: v.DATA_DIR,
      readOnly: v.DATA_READ_ONLY,
      maxBytes: v.DATA_MAX_BYTES === 0 ? undefined : v.DATA_MAX_BYTES,
    }),
    deployments: Object.freeze({
      queuedMs: v.DEPLOY_QUEUED_MS,
      runMs: v.DEPLOY_RUN_MS,
      failSuffix: v.DEPLOY_FAIL_SUFFIX,
    }),
    workspace: Object.freeze({ root: v.WORKSPACE_DIR, maxFileBytes: v.WORKSPACE_MAX_FILE_BYTES }),
    upstream: Object.freeze({
      baseUrl: v.UPSTREAM_BASE_URL,
      timeoutMs: v.UPSTREAM_TIMEOUT_MS,
      maxBodyBytes: v.UPSTREAM_MAX_BODY_BYTES,
      maxRetries: v.UPSTREAM_MAX_RETRIES,
      breakerFailures: v.UPSTREAM_BREAKER_FAILURES,
      breakerHalfOpenMs: v.UPSTREAM_BREAKER_HALF_OPEN_MS,
    }),
    weather: weatherConfig(v),
    auth: authConfigFrom(v),
    metricsEndpoint: metricsEndpointConfigFrom(v),
    operations: operationsConfig(v),
    database: databaseConfig(v),
    requestState: requestStateConfigFrom(v),
    limits: limitsConfig(v),
    tracing: tracingConfigFrom(v),
    redis: redisConfigFrom(v),
  });
}
