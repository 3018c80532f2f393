import { CallToolRequestSchema } from "@modelcontextprotocol/sdk/types.js";

/** What a JSON value is, in words a client's developer recognises. */
function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return "a string";
  return `a ${typeof value}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The one-line reason tools/call params are unusable, or undefined when they are fine. The
 * common mistakes are named by hand; anything else the SDK's schema refuses is reduced to its
 * first issue, so the client never receives a schema dump.
 */
export function toolCallParamsProblem(params: unknown): string | undefined {
  if (!isPlainObject(params))
    return `tools/call needs params with the tool's name, got ${describeValue(params)}`;
  if (typeof params.name !== "string") {
    return `params.name must be the tool's name as a string, got ${describeValue(params.name)}`;
  }
  if (params.arguments !== undefined && !isPlainObject(params.arguments)) {
    return `params.arguments must be an object of the tool's arguments, got ${describeValue(params.arguments)}`;
  }
  const checked = CallToolRequestSchema.shape.params.safeParse(params);
  if (checked.success) return undefined;
  const [issue] = checked.error.issues;
  const where = ["params", ...(issue?.path ?? []).map(String)].join(".");
  return `${where}: ${issue?.message ?? "not a valid tools/call request"}`;
}
