import { Histogram, type Registry } from "prom-client";

/** The labels of mcp_server_operation_duration_seconds, after the OpenTelemetry MCP attributes. */
export type OperationLabel =
  | "mcp_method_name"
  | "gen_ai_tool_name"
  | "error_type"
  | "rpc_response_status_code"
  | "mcp_protocol_version"
  | "network_transport";

/**
 * Buckets from half a millisecond to the 300 s OpenTelemetry recommends as its last bound: most
 * calls here take about a millisecond, while a tool may run for minutes (TOOL_TIMEOUT_MS goes to
 * an hour; anything past 300 s lands in +Inf).
 */
export const OPERATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300,
] as const;

/**
 * mcp_server_operation_duration_seconds: one observation per JSON-RPC request the server answers,
 * from its arrival to its response (OpenTelemetry `mcp.server.operation.duration`).
 */
export function operationDurationHistogram(registry: Registry): Histogram<OperationLabel> {
  return new Histogram({
    name: "mcp_server_operation_duration_seconds",
    help: "Duration of MCP requests handled by the server, by method, tool, error type and JSON-RPC error code",
    labelNames: [
      "mcp_method_name",
      "gen_ai_tool_name",
      "error_type",
      "rpc_response_status_code",
      "mcp_protocol_version",
      "network_transport",
    ],
    buckets: [...OPERATION_BUCKETS],
    registers: [registry],
  });
}
