import type { Logger } from "pino";
import { pinoHttp, type HttpLogger } from "pino-http";
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
    customProps(req) {
      const session = req.headers["mcp-session-id"];
      return typeof session === "string" ? { mcp_session_id: session } : {};
    },
    serializers: {
      req(req: { id: unknown; method: string; url: string; headers: Record<string, unknown> }) {
        return { id: req.id, method: req.method, url: req.url, headers: req.headers };
      },
    },
  });
}
