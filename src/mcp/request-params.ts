import { ClientRequestSchema, type JSONRPCRequest } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import { JsonRpcCode } from "../http/json-rpc-error.js";
import { toolCallParamsProblem } from "./tool-call-request.js";

/** The params schema of every request a client may send, by method, from the SDK's own types. */
const PARAMS_BY_METHOD: ReadonlyMap<string, z.ZodType> = new Map(
  ClientRequestSchema.options.map((option) => [option.shape.method.value, option.shape.params as z.ZodType]),
);

/**
 * Why a request's params are unusable, in one line, or undefined when they are fine (or the
 * method is not one the SDK knows, which it answers itself). Checked before the SDK sees the
 * request: its own check answers -32603 with the whole zod issue list, a server fault and a schema
 * dump for what is the client's mistake.
 */
export function requestParamsProblem(request: JSONRPCRequest): string | undefined {
  if (request.method === "tools/call") return toolCallParamsProblem(request.params);
  const schema = PARAMS_BY_METHOD.get(request.method);
  if (schema === undefined) return undefined;
  const checked = schema.safeParse(request.params);
  if (checked.success) return undefined;
  const [issue] = checked.error.issues;
  const where = ["params", ...(issue?.path ?? []).map(String)].join(".");
  return `${where}: ${issue?.message ?? `not valid for ${request.method}`}`;
}

/** The JSON-RPC answer to a request whose params are unusable. */
export function invalidParamsResponse(request: JSONRPCRequest, problem: string) {
  return {
    jsonrpc: "2.0" as const,
    id: request.id,
    error: { code: JsonRpcCode.invalidParams, message: `Invalid params: ${problem}` },
  };
}
