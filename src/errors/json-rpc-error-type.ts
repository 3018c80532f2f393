import type { ErrorType } from "./catalog.js";

/**
 * The catalog type of a JSON-RPC error code, so a protocol error and a tool error share one
 * `error_type` label (the JSON-RPC code itself goes to its own label). Request-shaped mistakes
 * (parse error, invalid request or params, unknown method or tool, the spec's header and version
 * errors) are validation errors; -32603 is internal; the SDK's connection-closed (-32000) means the
 * call was cut off, and its request timeout (-32001) a timeout.
 */
export function errorTypeOfJsonRpcCode(code: number): ErrorType {
  switch (code) {
    case -32603:
      return "internal_error";
    case -32001:
      return "timeout";
    case -32000:
      return "cancelled";
    default:
      return code <= -32000 && code >= -32768 ? "validation_error" : "internal_error";
  }
}
