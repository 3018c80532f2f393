import type { Attributes } from "@opentelemetry/api";
import type { JSONRPCResponse } from "@modelcontextprotocol/sdk/types.js";
import type { McpRequestStart } from "../../mcp/endpoint-hooks.js";
import { NETWORK_TRANSPORT } from "../metric-labels.js";
import { operationErrorLabels } from "../operation-labels.js";
import { sessionFingerprint } from "./session-fingerprint.js";

/** This server's own attributes, beside OpenTelemetry's MCP ones (see docs/tracing.md). */
export const REFERENCE_ID_ATTRIBUTE = "resilient_mcp.reference_id";
export const PRINCIPAL_ATTRIBUTE = "enduser.id";

/**
 * The span name the OpenTelemetry MCP conventions give: `{mcp.method.name} {target}`, the target
 * being the tool of a tools/call (a registered name, or "unknown", so clients cannot mint names).
 */
export function spanName(start: McpRequestStart): string {
  return start.toolName === undefined ? start.request.method : `${start.request.method} ${start.toolName}`;
}

/** The attributes known when the request arrives. */
export function requestAttributes(start: McpRequestStart, anonymousPrincipal: string): Attributes {
  const { request, caller } = start;
  return {
    "mcp.method.name": request.method,
    "jsonrpc.request.id": String(request.id),
    "mcp.protocol.version": start.protocolVersion,
    "network.transport": NETWORK_TRANSPORT,
    "network.protocol.name": "http",
    ...(start.toolName === undefined
      ? {}
      : { "gen_ai.tool.name": start.toolName, "gen_ai.operation.name": "execute_tool" }),
    ...(caller.sessionId === undefined ? {} : { "mcp.session.id": sessionFingerprint(caller.sessionId) }),
    [PRINCIPAL_ATTRIBUTE]: caller.principal?.id ?? anonymousPrincipal,
  };
}

/**
 * The attributes of the answer: error.type is the catalog type (as on the metrics), the JSON-RPC
 * code of a protocol error, and the reference id under which the failure was logged.
 */
export function responseAttributes(response: JSONRPCResponse): Attributes {
  const labels = operationErrorLabels(response);
  if (labels.error_type === "") return {};
  const referenceId = referenceIdOf(response);
  return {
    "error.type": labels.error_type,
    ...(labels.rpc_response_status_code === ""
      ? {}
      : { "rpc.response.status_code": labels.rpc_response_status_code }),
    ...(referenceId === undefined ? {} : { [REFERENCE_ID_ATTRIBUTE]: referenceId }),
  };
}

/** The reference id of a failed answer: in a tool result's envelope, or a protocol error's data. */
function referenceIdOf(response: JSONRPCResponse): string | undefined {
  const holder =
    "error" in response ? response.error.data : fieldOf(response.result.structuredContent, "error");
  const referenceId = fieldOf(holder, "reference_id");
  return typeof referenceId === "string" ? referenceId : undefined;
}

function fieldOf(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}
