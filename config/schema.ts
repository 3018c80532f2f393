import { z } from "zod";
import { authEnvShape, type AuthConfig } from "./auth.js";
import { baseUrl, booleanFlag, commaList, wholeNumber } from "./env-values.js";
import { metricsEndpointEnvShape, type MetricsEndpointConfig } from "./metrics-endpoint.js";
import { operationsShape, type OperationsConfig } from "./operations.js";
import { databaseShape, type DatabaseConfig } from "./database.js";
import { weatherShape, type WeatherConfig } from "./weather.js";
import { requestStateEnvShape, type RequestStateConfig } from "./request-state.js";
import { limitsShape, type LimitsConfig } from "./limits.js";
import { tracingEnvShape, type TracingConfig } from "./tracing.js";
import { redisEnvShape, type RedisConfig } from "./redis.js";

/** An origin such as "https://app.example.com:8443", normalised as browsers send it, or "*". */
function toOrigin(value: string): string | undefined {
  if (value === "*") return value;
  try {
    const url = new URL(value);
    const bare = url.pathname === "/" && url.search === "" && url.hash === "" && url.username === "";
    return bare && (url.protocol === "http:" || url.protocol === "https:") ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

const originList = commaList.pipe(
  z.array(
    z
      .string()
      .refine((entry) => toOrigin(entry) !== undefined, {
        error: 'expected origins like "http://localhost" or "https://app.example.com:8443", or "*"',
      })
      .transform((entry) => toOrigin(entry) ?? entry),
  ),
);

const hostList = commaList.pipe(
  z.array(
    z.string().regex(/^(\*|\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, {
      error:
        'expected host names like "localhost", "mcp.example.com" or "[::1]", optionally with ":port", or "*"',
    }),
  ),
);

/**
 * Every environment variable the server reads, with its default. Each value is a string in the
 * environment; the schema turns it into the typed, validated Config.
 */
export const configSchema = z.object({
  PORT: wholeNumber(0, 65535).default(3000),
  HOST: z.string().trim().min(1, { error: "expected a host or IP address to bind to" }).default("127.0.0.1"),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      error: "expected one of fatal, error, warn, info, debug, trace, silent",
    })
    .default("info"),
  MCP_SESSION_MODE: z
    .enum(["stateful", "stateless"], { error: 'expected "stateful" or "stateless"' })
    .default("stateful"),
  MCP_JSON_RESPONSE: booleanFlag.default(false),
  MCP_STREAM_AFTER_MS: wholeNumber(0, 600_000).default(1000),
  MCP_CONFORMANCE_FIXTURES: booleanFlag.default(false),
  ALLOWED_HOSTS: hostList.default(["localhost", "127.0.0.1", "[::1]"]),
  ALLOWED_ORIGINS: originList.default(["http://localhost", "http://127.0.0.1", "http://[::1]"]),
  SESSION_IDLE_TIMEOUT_MS: wholeNumber(1000, 86_400_000).default(900_000),
  MAX_SESSIONS: wholeNumber(1, 1_000_000).default(1000),
  SHUTDOWN_GRACE_MS: wholeNumber(0, 600_000).default(10_000),
  MAX_BODY_BYTES: wholeNumber(1024, 100 * 1024 * 1024).default(1024 * 1024),
  SSE_RETRY_MS: wholeNumber(100, 600_000).default(1000),
  SSE_EVENT_HISTORY: wholeNumber(0, 100_000).default(200),
  TOOL_TIMEOUT_MS: wholeNumber(100, 3_600_000).default(30_000),
  DATA_DIR: z.string().trim().min(1).default(".data"),
  DATA_READ_ONLY: booleanFlag.default(false),
  // A safe cap by default: 1 GiB. 0 lifts it.
  DATA_MAX_BYTES: wholeNumber(0, Number.MAX_SAFE_INTEGER).default(1024 * 1024 * 1024),
  DEPLOY_QUEUED_MS: wholeNumber(0, 3_600_000).default(1000),
  DEPLOY_RUN_MS: wholeNumber(0, 3_600_000).default(5000),
  DEPLOY_FAIL_SUFFIX: z.string().trim().default("-bad"),
  WORKSPACE_DIR: z.string().trim().min(1).default("workspace"),
  WORKSPACE_MAX_FILE_BYTES: wholeNumber(1, 100 * 1024 * 1024).default(1024 * 1024),
  UPSTREAM_BASE_URL: baseUrl.default("https://jsonplaceholder.typicode.com"),
  UPSTREAM_TIMEOUT_MS: wholeNumber(50, 600_000).default(10_000),
  UPSTREAM_MAX_BODY_BYTES: wholeNumber(1024, 100 * 1024 * 1024).default(1024 * 1024),
  UPSTREAM_MAX_RETRIES: wholeNumber(0, 3).default(1),
  UPSTREAM_BREAKER_FAILURES: wholeNumber(1, 1000).default(5),
  UPSTREAM_BREAKER_HALF_OPEN_MS: wholeNumber(100, 3_600_000).default(30_000),
  ...weatherShape,
  ...authEnvShape,
  ...metricsEndpointEnvShape,
  ...operationsShape,
  ...databaseShape,
  ...requestStateEnvShape,
  ...limitsShape,
  ...tracingEnvShape,
  ...redisEnvShape,
});

/** The validated, frozen configuration the rest of the server receives. */
export type Config = Readonly<{
  port: number;
  host: string;
  logLevel: z.output<typeof configSchema>["LOG_LEVEL"];
  sessionMode: "stateful" | "stateless";
  jsonResponse: boolean;
  streamAfterMs: number;
  conformanceFixtures: boolean;
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
  sessionIdleTimeoutMs: number;
  maxSessions: number;
  shutdownGraceMs: number;
  maxBodyBytes: number;
  sseRetryMs: number;
  sseEventHistory: number;
  toolTimeoutMs: number;
  store: Readonly<{ dataDir: string; readOnly: boolean; maxBytes: number | undefined }>;
  deployments: Readonly<{ queuedMs: number; runMs: number; failSuffix: string }>;
  workspace: Readonly<{ root: string; maxFileBytes: number }>;
  upstream: Readonly<{
    baseUrl: string;
    timeoutMs: number;
    maxBodyBytes: number;
    maxRetries: number;
    breakerFailures: number;
    breakerHalfOpenMs: number;
  }>;
  weather: WeatherConfig;
  auth: AuthConfig;
  metricsEndpoint: MetricsEndpointConfig;
  operations: OperationsConfig;
  database: DatabaseConfig;
  requestState: RequestStateConfig;
  limits: LimitsConfig;
  tracing: TracingConfig;
  redis: RedisConfig;
}>;
