import type { JSONRPCRequest, ServerCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { UnsupportedProtocolVersionError } from "@modelcontextprotocol/server";
import type { ProtocolHeaders, Refusal } from "./era-classification.js";
import { headerMismatch, refusal } from "./era-classification.js";
import { isPlainObject } from "./envelope.js";

/** The stateless-era revisions this server speaks. */
export const MODERN_VERSIONS: readonly string[] = ["2026-07-28"];

/**
 * The methods the stateless era serves, given what the server registered: the removed ones
 * (initialize, ping, logging/setLevel, resources/subscribe and unsubscribe) and anything unknown
 * are answered 404 with -32601 before reaching the server.
 */
export function servedModernMethods(capabilities: ServerCapabilities): ReadonlySet<string> {
  return new Set([
    "server/discover",
    "subscriptions/listen",
    ...(capabilities.tools === undefined ? [] : ["tools/list", "tools/call"]),
    ...(capabilities.resources === undefined
      ? []
      : ["resources/list", "resources/templates/list", "resources/read"]),
    ...(capabilities.prompts === undefined ? [] : ["prompts/list", "prompts/get"]),
    ...(capabilities.completions === undefined ? [] : ["completion/complete"]),
  ]);
}

/** Methods whose `Mcp-Name` header mirrors a body field, and which field. */
const NAME_SOURCE: Readonly<Record<string, "name" | "uri">> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri",
};

/** Methods that may answer `input_required` and so accept `inputResponses` and `requestState`. */
export const INPUT_METHODS: ReadonlySet<string> = new Set(["tools/call", "prompts/get", "resources/read"]);

/**
 * The checks a stateless request passes before any handler runs, in the order the spec's
 * validation ladder gives them (the earliest failing rung answers): a revision this server
 * speaks (-32022), the standard headers (-32020), a method it serves (404, -32601), and
 * well-formed multi-round-trip params (-32602, in-band like any params error).
 */
export function checkModernRequest(
  request: JSONRPCRequest,
  version: string,
  headers: ProtocolHeaders,
  context: { readonly supportedVersions: readonly string[]; readonly methods: ReadonlySet<string> },
): Refusal | undefined {
  if (!MODERN_VERSIONS.includes(version)) {
    const error = new UnsupportedProtocolVersionError({
      supported: [...context.supportedVersions],
      requested: version,
    });
    return refusal(400, error.code, error.message, request.id, {
      supported: [...context.supportedVersions],
      requested: version,
    });
  }
  const headerProblem = checkStandardHeaders(request, headers);
  if (headerProblem !== undefined) return headerProblem;
  if (!context.methods.has(request.method)) {
    return refusal(
      404,
      -32601,
      `Method not found: ${request.method} is not served in protocol revision ${version}`,
      request.id,
    );
  }
  return INPUT_METHODS.has(request.method) ? checkInputParams(request) : undefined;
}

/** SEP-2243: MCP-Protocol-Version and Mcp-Method on every request, Mcp-Name where a name is in the body. */
function checkStandardHeaders(request: JSONRPCRequest, headers: ProtocolHeaders): Refusal | undefined {
  if (headers.protocolVersion === undefined) {
    return headerMismatch(
      "(missing)",
      "the body carries a 2026 envelope but the required MCP-Protocol-Version header is absent",
      request.id,
    );
  }
  if (headers.method === undefined) {
    return headerMismatch(
      "(missing)",
      `the body names method ${request.method} but the required Mcp-Method header is absent`,
      request.id,
    );
  }
  const field = Object.hasOwn(NAME_SOURCE, request.method) ? NAME_SOURCE[request.method] : undefined;
  if (field === undefined) return undefined;
  const params: Record<string, unknown> = isPlainObject(request.params) ? request.params : {};
  const bodyValue = typeof params[field] === "string" ? params[field] : undefined;
  if (headers.name === undefined) {
    return bodyValue === undefined
      ? undefined
      : headerMismatch(
          "(missing)",
          `the body carries params.${field}="${bodyValue}" but the required Mcp-Name header is absent`,
          request.id,
        );
  }
  const decoded = decodeHeaderValue(headers.name);
  if (decoded === undefined) {
    return headerMismatch(
      headers.name,
      "the Mcp-Name header carries an invalid Base64 sentinel value",
      request.id,
    );
  }
  if (bodyValue !== undefined && decoded !== bodyValue) {
    return headerMismatch(
      headers.name,
      `the body carries params.${field}="${bodyValue}" but the Mcp-Name header names "${decoded}"`,
      request.id,
    );
  }
  return undefined;
}

const BASE64_PREFIX = "=?base64?";
const BASE64_SUFFIX = "?=";
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A header value as sent, or decoded from the `=?base64?…?=` form used for non-ASCII names. */
function decodeHeaderValue(value: string): string | undefined {
  if (!(value.startsWith(BASE64_PREFIX) && value.endsWith(BASE64_SUFFIX))) return value;
  const encoded = value.slice(BASE64_PREFIX.length, value.length - BASE64_SUFFIX.length);
  if (!CANONICAL_BASE64.test(encoded)) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(encoded, "base64"));
  } catch {
    return undefined;
  }
}

/** inputResponses, when present, is an object of objects; requestState is a string. */
function checkInputParams(request: JSONRPCRequest): Refusal | undefined {
  const params: Record<string, unknown> = isPlainObject(request.params) ? request.params : {};
  if ("inputResponses" in params) {
    const responses = params.inputResponses;
    if (!isPlainObject(responses)) {
      return refusal(
        200,
        -32602,
        "Invalid params: inputResponses must be an object of responses keyed like inputRequests",
        request.id,
      );
    }
    const bad = Object.entries(responses).find(([, response]) => !isPlainObject(response));
    if (bad !== undefined) {
      return refusal(
        200,
        -32602,
        `Invalid params: inputResponses.${bad[0]} must be the client's result object`,
        request.id,
      );
    }
  }
  if ("requestState" in params && typeof params.requestState !== "string") {
    return refusal(
      200,
      -32602,
      "Invalid params: requestState must be the string the server returned",
      request.id,
    );
  }
  return undefined;
}
