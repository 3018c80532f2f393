import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * Every metric the server exports, on a registry owned by one app instance (never the global
 * one, so tests and several apps in one process do not collide). Labels are declared up front and
 * are always from closed sets: never a session id, request id or user input.
 */
export interface Metrics {
  readonly registry: Registry;
  /** mcp_server_operation_duration_seconds{mcp_method_name, gen_ai_tool_name, error_type} */
  readonly operationDuration: Histogram<"mcp_method_name" | "gen_ai_tool_name" | "error_type">;
  /** mcp_tool_calls_total{tool, outcome}: outcome is success | error | degraded. */
  readonly toolCalls: Counter<"tool" | "outcome">;
  /** mcp_tool_errors_total{tool, type}: the error service's counter by catalog type. */
  readonly toolErrors: Counter<"tool" | "type">;
  readonly sessionsCreated: Counter;
  readonly sessionsExpired: Counter;
  readonly sessionsRejected: Counter<"reason">;
  /** upstream_requests_total{service, outcome}: one per attempt, outcome from a closed set. */
  readonly upstreamRequests: Counter<"service" | "outcome">;
}

/** Builds the metrics on a fresh registry; `activeSessions` is read at scrape time. */
export function createMetrics(options: { activeSessions: () => number; defaultMetrics?: boolean }): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  new Gauge({
    name: "mcp_sessions_active",
    help: "MCP sessions currently open (stateful mode)",
    registers: [registry],
    collect() {
      this.set(options.activeSessions());
    },
  });

  return {
    registry,
    operationDuration: new Histogram({
      name: "mcp_server_operation_duration_seconds",
      help: "Duration of MCP requests handled by the server, by method, tool and error type",
      labelNames: ["mcp_method_name", "gen_ai_tool_name", "error_type"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    toolCalls: new Counter({
      name: "mcp_tool_calls_total",
      help: "Tool calls by tool and outcome (success, error, degraded)",
      labelNames: ["tool", "outcome"],
      registers: [registry],
    }),
    toolErrors: new Counter({
      name: "mcp_tool_errors_total",
      help: "Tool errors by tool and error-catalog type",
      labelNames: ["tool", "type"],
      registers: [registry],
    }),
    sessionsCreated: new Counter({
      name: "mcp_sessions_created_total",
      help: "MCP sessions created",
      registers: [registry],
    }),
    sessionsExpired: new Counter({
      name: "mcp_sessions_expired_total",
      help: "MCP sessions closed by the server after their idle timeout",
      registers: [registry],
    }),
    sessionsRejected: new Counter({
      name: "mcp_sessions_rejected_total",
      help: "New sessions refused, by reason (capacity, draining)",
      labelNames: ["reason"],
      registers: [registry],
    }),
    upstreamRequests: new Counter({
      name: "upstream_requests_total",
      help: "Requests to upstream APIs by service and outcome (one per attempt)",
      labelNames: ["service", "outcome"],
      registers: [registry],
    }),
  };
}
