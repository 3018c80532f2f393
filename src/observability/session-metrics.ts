import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** What the session families read or are told. */
export interface SessionMetrics {
  readonly sessionsCreated: Counter;
  readonly sessionsExpired: Counter;
  /** reason: capacity | principal_capacity | draining. */
  readonly sessionsRejected: Counter<"reason">;
  /** From initialize to the session's end, whatever ended it (DELETE, idle expiry, shutdown). */
  readonly sessionDuration: Histogram<"mcp_protocol_version" | "network_transport">;
}

/** Why a new session is refused: the `reason` label of mcp_sessions_rejected_total. */
export const SESSION_REFUSAL_REASONS = ["capacity", "principal_capacity", "draining"] as const;

/** Sessions last from seconds (a script) to days (an IDE left open). */
export const SESSION_DURATION_BUCKETS = [
  1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14_400, 43_200, 86_400, 259_200,
] as const;

/**
 * mcp_sessions_active (read at scrape time), mcp_sessions_limit, mcp_sessions_created_total,
 * mcp_sessions_expired_total, mcp_sessions_rejected_total{reason} and
 * mcp_server_session_duration_seconds (OpenTelemetry `mcp.server.session.duration`).
 */
export function sessionMetrics(
  registry: Registry,
  activeSessions: () => number,
  sessionLimit: number | undefined,
): SessionMetrics {
  new Gauge({
    name: "mcp_sessions_active",
    help: "MCP sessions currently open (stateful mode)",
    registers: [registry],
    collect() {
      this.set(activeSessions());
    },
  });
  if (sessionLimit !== undefined) {
    // Exported so an alert can compare mcp_sessions_active with it (MAX_SESSIONS).
    new Gauge({
      name: "mcp_sessions_limit",
      help: "Most MCP sessions open at once (MAX_SESSIONS); initialize is refused with 503 beyond it",
      registers: [registry],
    }).set(sessionLimit);
  }
  const sessionsRejected = new Counter({
    name: "mcp_sessions_rejected_total",
    help: "New sessions refused, by reason (capacity, principal_capacity, draining)",
    labelNames: ["reason"],
    registers: [registry],
  });
  // At zero from the start, so a rate over them exists before the first refusal.
  for (const reason of SESSION_REFUSAL_REASONS) sessionsRejected.inc({ reason }, 0);
  return {
    sessionsCreated: new Counter({
      name: "mcp_sessions_created_total",
      help: "MCP sessions created",
      registers: [registry],
    }),
    sessionsExpired: new Counter({
      name: "mcp_sessions_expired_total",
      help: "MCP sessions closed by the server after their idle timeout or maximum lifetime",
      registers: [registry],
    }),
    sessionsRejected,
    sessionDuration: new Histogram({
      name: "mcp_server_session_duration_seconds",
      help: "Duration of MCP sessions, from initialize to their end",
      labelNames: ["mcp_protocol_version", "network_transport"],
      buckets: [...SESSION_DURATION_BUCKETS],
      registers: [registry],
    }),
  };
}
