import type { IncomingMessage } from "node:http";
import type { Locals } from "express";
import type { Logger } from "pino";
import { pinoHttp, type HttpLogger } from "pino-http";
import { redactQueryCredentials } from "../auth/query-credentials.js";
import { assignRequestId } from "./request-id.js";

/** Paths polled by orchestrators and Prometheus: logged at debug so they do not drown the log. */
const QUIET_PATHS = new Set(["/health", "/ready", "/metrics"]);

/**
 * One structured log line per HTTP request, with a request id that the route handlers' child
 * loggers (req.log) carry too. Status decides the level: 5xx error, 4xx warn, others info.
 */
export function createRequestLogger(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    genReqId: assignRequestId,
    customLogLevel(req, res, err) {
      if (err !== undefined || res.statusCode >= 500) return "error";
      if (res.statusCode >= 400) return "warn";
      const path = (req.url ?? "").split("?")[0] ?? "";
      return QUIET_PATHS.has(path) ? "debug" : "info";
    },
    // Lean serializers: every request and response header, through redaction, cost about a tenth
    // of a call's CPU; these are the ones that help trace an MCP exchange.
    wrapSerializers: false,
    serializers: {
      req(req: IncomingMessage & { id?: unknown; originalUrl?: string }) {
        return {
          id: req.id,
          method: req.method,
          // Express rewrites req.url inside mounted routers; originalUrl is what the client sent.
          // A credential in the query string is refused, and never logged.
          url: redactQueryCredentials(req.originalUrl ?? req.url ?? ""),
          // Here rather than as customProps, which pino-http would bind in two extra child loggers.
          mcp_session_id: req.headers["mcp-session-id"],
          headers: pickHeaders(req.headers),
          remoteAddress: req.socket.remoteAddress,
        };
      },
      // Who called (never the credential) and, for a refusal, why: read from what the
      // authenticate middleware left in res.locals.
      res(res: { statusCode: number; locals?: Partial<Locals> }) {
        const principal = res.locals?.principal;
        const failure = res.locals?.authFailure;
        return {
          statusCode: res.statusCode,
          ...(principal === undefined ? {} : { principal: principal.id }),
          ...(failure === undefined ? {} : { auth_failure: failure.reason, auth_detail: failure.detail }),
        };
      },
    },
  });
}

/** Request headers worth a log line. */
const LOGGED_HEADERS = [
  "user-agent",
  "content-type",
  "content-length",
  "origin",
  "x-forwarded-for",
  "mcp-protocol-version",
  "last-event-id",
];

/** Credentials: a line shows that one was sent, never its value. */
const CENSORED_HEADERS = ["authorization", "cookie", "proxy-authorization"];

/**
 * The headers a request line shows. This serializer is the only place request headers reach the
 * log, so censoring here replaces a logger-wide redact pass over every line.
 */
function pickHeaders(headers: IncomingMessage["headers"]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of LOGGED_HEADERS) {
    const value = headers[name];
    if (value !== undefined) picked[name] = value;
  }
  for (const name of CENSORED_HEADERS) {
    if (headers[name] !== undefined) picked[name] = "[redacted]";
  }
  return picked;
}
