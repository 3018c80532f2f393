/**
 * Fixed label values shared by the metric families. Every family uses one label name per concept
 * (gen_ai_tool_name, error_type, upstream_service…) so a dashboard can join them: docs/metrics.md
 * lists them, docs/decisions/0001-metric-names.md says why these names.
 */

/**
 * The tool label of calls to a name no tool has: a client must not be able to mint label values,
 * so every unregistered name shares this one.
 */
export const UNKNOWN_TOOL = "unknown";

/**
 * `network.transport` of every request this server answers: Streamable HTTP runs over TCP. A
 * constant, but it is what the OpenTelemetry MCP conventions record, and it lets this server's
 * series sit beside a stdio server's ("pipe") on one dashboard.
 */
export const NETWORK_TRANSPORT = "tcp";
