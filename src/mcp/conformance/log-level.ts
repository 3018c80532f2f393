import { LoggingLevelSchema, type LoggingLevel } from "@modelcontextprotocol/sdk/types.js";
import type { McpRequestExtra } from "../raw-tool.js";

/**
 * Decides whether a `notifications/message` at `level` may be sent for this request.
 *
 * It exists because the fixtures send log messages with `extra.sendNotification` (so they travel on
 * the call's own SSE stream), which bypasses the level filter the SDK applies only inside
 * `Server.sendLoggingMessage`, and that filter's per-session state is private. Whoever owns
 * `logging/setLevel` supplies the gate; the session is reachable through `extra.sessionId`.
 */
export type LogLevelGate = (level: LoggingLevel, extra: McpRequestExtra) => boolean;

// Severity order is the schema's declaration order (debug … emergency), same as the SDK's own filter.
const SEVERITY: readonly LoggingLevel[] = LoggingLevelSchema.options;

/**
 * True when a message at `level` passes a session whose minimum is `threshold`. An unset threshold
 * lets everything through, matching the SDK's behaviour before the client calls `logging/setLevel`.
 */
export function logLevelAllows(threshold: LoggingLevel | undefined, level: LoggingLevel): boolean {
  if (threshold === undefined) return true;
  return SEVERITY.indexOf(level) >= SEVERITY.indexOf(threshold);
}

/** The gate used when none is supplied: every level is sent. */
export const ALLOW_ALL_LOG_LEVELS: LogLevelGate = () => true;
