/** Log levels from least to most severe (RFC 5424, as MCP uses them). */
const SEVERITY = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"] as const;

/**
 * Whether a log notification at `sent` may go to a stateless client that asked for `requested`
 * in the request's `_meta`. Without a requested level the client opted out of log messages.
 */
export function logLevelPasses(requested: string | undefined, sent: unknown): boolean {
  if (requested === undefined) return false;
  const threshold = SEVERITY.indexOf(requested as (typeof SEVERITY)[number]);
  const severity = SEVERITY.indexOf(sent as (typeof SEVERITY)[number]);
  return threshold >= 0 && severity >= threshold;
}
