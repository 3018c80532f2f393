import type { IncomingMessage } from "node:http";
import type { Locals } from "express";
import type { Logger } from "pino";
import { pinoHttp, type HttpLogger } from "pino-http";
import { sessionFingerprint } from "../observability/session-fingerprint.js";
import { assignRequestId } from "./request-id.js";

/** Paths polled by orchestrators and Prometheus: logged at debug so they do not drown the log. */
const QUIET_PATHS = new Set(["/health", "/ready", "/metrics"]);

/** pino-http's stand-in error for a 5xx answered without one; it has no stack worth logging. */
const STAND_IN_ERROR = /^failed with status code \d+$/;

/** Whether the line of a 5xx response stands for a real error (one with a cause, not a refusal). */
function isRealError(error: unknown, res: { err?: unknown }): boolean {
  return res.err !== undefined || !(error instanceof Error && STAND_IN_ERROR.test(error.message));
}

/**
 * One structured log line per HTTP request, with a request id that the route handlers' child
 * loggers (req.log) carry too. Status decides the level: 5xx error, 4xx warn, others info — except
 * 503, which this server answers on purpose (not ready, session cap, shutting down): info while
 * stopping (a normal drain is not an incident), warn otherwise. Lines of 5xx answers carry no
 * stack: the error handler has already logged any real error with its own, under the same id.
 */
export function createRequestLogger(logger: Logger, options: { stopping: () => boolean }): HttpLogger {
  return pinoHttp({
    logger,
    genReqId: assignRequestId,
    customLogLevel(req, res, err) {
      if (res.statusCode === 503 && err === undefined && (res as { err?: unknown }).err === undefined) {
        return options.stopping() ? "info" : "warn";
      }
      if (err !== undefined || res.statusCode >= 500) return "error";
      if (res.statusCode >= 400) return "warn";
      const path = (req.url ?? "").split("?")[0] ?? "";
      return QUIET_PATHS.has(path) ? "debug" : "info";
    },
    customErrorObject(_req, res, error, value: Record<string, unknown>) {
      if (isRealError(error, res)) return value;
      const { err: _standIn, ...rest } = value;
      return rest;
    },
    customErrorMessage(_req, res, error) {
      return isRealError(error, res) ? "request errored" : "request completed";
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
          // The path only: a query string may carry a credential under any name, or as a name.
          url: withoutQuery(req.originalUrl ?? req.url ?? ""),
          // Here rather than as customProps, which pino-http would bind in two extra child loggers.
          // The id is a bearer-like value: its fingerprint identifies the session's lines.
          mcp_session_id: sessionFingerprint(req.headers["mcp-session-id"]),
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

/** The URL's path, its query string (and fragment) left out. */
function withoutQuery(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
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
