import { isErrorType } from "../errors/catalog.js";
import { errorTypeOfJsonRpcCode } from "../errors/json-rpc-error-type.js";

/** The error labels of one answered JSON-RPC request. */
export interface OperationErrorLabels {
  /** The catalog type; "" for a successful operation. */
  readonly error_type: string;
  /** The JSON-RPC error code as a string; "" when the answer is a result. */
  readonly rpc_response_status_code: string;
}

const SUCCESS: OperationErrorLabels = Object.freeze({ error_type: "", rpc_response_status_code: "" });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/**
 * Reads the error labels off a JSON-RPC response: a JSON-RPC error gives its code and the catalog
 * type that code maps to; an `isError` tool result gives the type in its envelope (the most
 * frequent item type of a failed batch). An `isError` result without this server's envelope (a
 * conformance fixture) is "tool_error", OpenTelemetry's value for it.
 */
export function operationErrorLabels(response: unknown): OperationErrorLabels {
  if (!isRecord(response)) return SUCCESS;
  const { error, result } = response;
  if (isRecord(error) && typeof error.code === "number") {
    return { error_type: errorTypeOfJsonRpcCode(error.code), rpc_response_status_code: String(error.code) };
  }
  if (!isRecord(result) || result.isError !== true) return SUCCESS;
  return { error_type: envelopeErrorType(result.structuredContent), rpc_response_status_code: "" };
}

function envelopeErrorType(envelope: unknown): string {
  if (!isRecord(envelope)) return "tool_error";
  if (isRecord(envelope.error) && isErrorType(envelope.error.type)) return envelope.error.type;
  const byType = isRecord(envelope.error_summary) ? envelope.error_summary.by_type : undefined;
  if (!isRecord(byType)) return "tool_error";
  let best = "tool_error";
  let bestCount = 0;
  for (const [type, count] of Object.entries(byType)) {
    if (isErrorType(type) && typeof count === "number" && count > bestCount) {
      best = type;
      bestCount = count;
    }
  }
  return best;
}
