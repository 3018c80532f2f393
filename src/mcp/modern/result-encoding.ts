import type { JSONRPCErrorResponse, JSONRPCResultResponse } from "@modelcontextprotocol/sdk/types.js";
import { SERVER_INFO_META_KEY } from "@modelcontextprotocol/server";
import { isPlainObject } from "./envelope.js";

/** How long, and for whom, a client may cache a result (the 2026 `ttlMs` and `cacheScope`). */
interface CacheHint {
  readonly ttlMs: number;
  readonly cacheScope: "public" | "private";
}

/**
 * The listings and discover result are fixed for the life of the process and the same for every
 * caller, so any cache may keep them; five minutes bounds how stale they get across a deploy.
 * Resource contents may be per user and may change: cached by no one but this caller, and stale at once.
 */
const CACHE_HINTS: Readonly<Record<string, CacheHint>> = {
  "server/discover": { ttlMs: 300_000, cacheScope: "public" },
  "tools/list": { ttlMs: 300_000, cacheScope: "public" },
  "prompts/list": { ttlMs: 300_000, cacheScope: "public" },
  "resources/list": { ttlMs: 300_000, cacheScope: "public" },
  "resources/templates/list": { ttlMs: 300_000, cacheScope: "public" },
  "resources/read": { ttlMs: 0, cacheScope: "private" },
};

/** Who answered, on every stateless result. */
export interface ServerIdentity {
  readonly name: string;
  readonly version: string;
}

/**
 * A response of the shared server in 2026 wire form: every result says what it is (`resultType`)
 * and who sent it (`_meta` serverInfo), cacheable ones carry their cache hints, and an
 * input_required result carries only its own fields.
 */
export function encodeModernResponse(
  method: string,
  response: JSONRPCResultResponse | JSONRPCErrorResponse,
  server: ServerIdentity,
  requestParams: unknown,
): JSONRPCResultResponse | JSONRPCErrorResponse {
  if ("error" in response) return withResourceUri(method, response, requestParams);
  const result: Record<string, unknown> = response.result;
  const meta = { ...(isPlainObject(result._meta) ? result._meta : {}), [SERVER_INFO_META_KEY]: server };
  if (result.resultType === "input_required") {
    const { inputRequests, requestState } = result;
    return {
      ...response,
      result: {
        resultType: "input_required",
        ...(inputRequests === undefined ? {} : { inputRequests }),
        ...(requestState === undefined ? {} : { requestState }),
        _meta: meta,
      },
    };
  }
  const hint = CACHE_HINTS[method];
  return {
    ...response,
    result: { ...(hint === undefined ? {} : hint), ...result, resultType: "complete", _meta: meta },
  };
}

/** A resource that is not there is -32602 naming the URI (the spec's SHOULD). */
function withResourceUri(
  method: string,
  response: JSONRPCErrorResponse,
  requestParams: unknown,
): JSONRPCErrorResponse {
  if (method !== "resources/read" || response.error.code !== -32602 || response.error.data !== undefined) {
    return response;
  }
  const uri = isPlainObject(requestParams) ? requestParams.uri : undefined;
  return typeof uri === "string" ? { ...response, error: { ...response.error, data: { uri } } } : response;
}
