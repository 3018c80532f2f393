/**
 * Label names and fixed label values shared by every metric family, so one concept has one name
 * across families and a dashboard can join them. docs/metrics.md lists them and
 * docs/decisions/0001-metric-names.md says why these names.
 */

/** The tool a call named (OpenTelemetry `gen_ai.tool.name`); UNKNOWN_TOOL for unregistered names. */
export const TOOL_LABEL = "gen_ai_tool_name";

/** The error catalog type (OpenTelemetry `error.type`); "" when the operation succeeded. */
export const ERROR_TYPE_LABEL = "error_type";

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
