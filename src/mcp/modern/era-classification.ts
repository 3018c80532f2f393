import type {
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  RequestId,
} from "@modelcontextprotocol/sdk/types.js";
import { PROTOCOL_VERSION_META_KEY } from "@modelcontextprotocol/server";
import { isInitialize, isRequest, isResponse } from "../transport/json-rpc-message.js";
import {
  carriesModernClaim,
  claimedVersion,
  envelopeIssues,
  hasEnvelopeClaim,
  isModernVersion,
  metaOf,
} from "./envelope.js";

/** The protocol headers the era decision reads (already trimmed of surrounding whitespace). */
export interface ProtocolHeaders {
  readonly protocolVersion: string | undefined;
  readonly method: string | undefined;
  readonly name: string | undefined;
}

/** A refusal decided before any server sees the request: the HTTP status and the JSON-RPC error. */
export interface Refusal {
  readonly kind: "refuse";
  readonly status: number;
  readonly code: number;
  readonly message: string;
  readonly data?: Record<string, unknown>;
  readonly id: RequestId | null;
}

/** Where a POST goes: a 2025 session (or stateless 2025 serving), or the stateless 2026 path. */
export type EraRoute =
  | { readonly kind: "legacy" }
  | { readonly kind: "modern"; readonly request: JSONRPCRequest; readonly version: string }
  | { readonly kind: "modern-notification"; readonly notification: JSONRPCNotification }
  | Refusal;

/** -32020: the spec's HeaderMismatch. */
export const HEADER_MISMATCH = -32020;
const INVALID_PARAMS = -32602;
const INVALID_REQUEST = -32600;

export function refusal(
  status: number,
  code: number,
  message: string,
  id: RequestId | null,
  data?: Record<string, unknown>,
): Refusal {
  return { kind: "refuse", status, code, message, id, ...(data === undefined ? {} : { data }) };
}

export function headerMismatch(header: string, body: string, id: RequestId | null): Refusal {
  return refusal(400, HEADER_MISMATCH, `Bad Request: the request headers and body disagree: ${body}`, id, {
    mismatch: { header, body },
  });
}

/**
 * Decides the era of a POST from its body, with the MCP-Protocol-Version header as a cross-check
 * only (the dual-era rule: a request whose `_meta` names a protocol version is stateless and
 * served per request; `initialize` opens a 2025 session). It gives the answers the SDK's
 * `classifyInboundRequest` gives (a unit test runs both on the same inputs), without its schema
 * parses: those cost ~45 µs a request, more than the rest of a tool call's protocol work.
 */
export function classifyEra(
  messages: readonly JSONRPCMessage[],
  batch: boolean,
  headers: ProtocolHeaders,
): EraRoute {
  if (batch) {
    const modern = messages.some((message) => "method" in message && hasEnvelopeClaim(message.params));
    return modern
      ? refusal(
          400,
          INVALID_REQUEST,
          "Bad Request: JSON-RPC batches may not contain requests for protocol revision 2026-07-28 or later",
          null,
        )
      : { kind: "legacy" };
  }
  const [message] = messages;
  if (message === undefined || isResponse(message)) return { kind: "legacy" };
  return isRequest(message) ? classifyRequest(message, headers) : classifyNotification(message, headers);
}

function classifyRequest(request: JSONRPCRequest, headers: ProtocolHeaders): EraRoute {
  const header = headers.protocolVersion;
  const headerIsModern = header !== undefined && isModernVersion(header);
  if (isInitialize(request) && !carriesModernClaim(request.params)) {
    return headerIsModern
      ? headerMismatch(
          header,
          "an initialize request (2025 handshake) was sent with a 2026 MCP-Protocol-Version header",
          request.id,
        )
      : { kind: "legacy" };
  }
  if (hasEnvelopeClaim(request.params)) {
    const issue = envelopeIssues(metaOf(request.params) ?? {})[0];
    if (issue !== undefined) {
      return refusal(
        400,
        INVALID_PARAMS,
        `Invalid _meta envelope for protocol revision 2026-07-28: ${issue.key}: ${issue.problem}`,
        request.id,
        { envelope: issue },
      );
    }
    const version = claimedVersion(request.params) ?? "";
    if (header !== undefined && header !== version) {
      return headerMismatch(
        header,
        `the body envelope names protocol version ${version} but the MCP-Protocol-Version header names ${header}`,
        request.id,
      );
    }
    if (headers.method !== undefined && headers.method !== request.method) {
      return headerMismatch(
        headers.method,
        `the body names method ${request.method} but the Mcp-Method header names ${headers.method}`,
        request.id,
      );
    }
    return { kind: "modern", request, version };
  }
  if (!headerIsModern) return { kind: "legacy" };
  // A 2026 header without the envelope: the request lacks required params, it is not 2025 traffic.
  const meta = metaOf(request.params);
  const missing =
    meta === undefined
      ? ["_meta"]
      : envelopeIssues(meta)
          .filter((issue) => issue.problem === "missing")
          .map((issue) => issue.key);
  const keys = missing.length > 0 ? missing : [PROTOCOL_VERSION_META_KEY];
  return refusal(
    400,
    INVALID_PARAMS,
    `Invalid params: the MCP-Protocol-Version header names protocol revision ${header}, but the request is missing the required per-request envelope key(s): ${keys.join(", ")}`,
    request.id,
    { envelope: { missing: keys } },
  );
}

function classifyNotification(notification: JSONRPCNotification, headers: ProtocolHeaders): EraRoute {
  const header = headers.protocolVersion;
  const claimed = hasEnvelopeClaim(notification.params);
  if (!claimed && !(header !== undefined && isModernVersion(header))) return { kind: "legacy" };
  // A claimed notification is the stateless path's whichever version it names (202, dropped).
  let modern = true;
  if (claimed) {
    const version = claimedVersion(notification.params);
    if (version === undefined) {
      return refusal(
        400,
        INVALID_PARAMS,
        "Invalid _meta envelope for protocol revision 2026-07-28: protocolVersion is not a string",
        null,
      );
    }
    if (header !== undefined && header !== version) {
      return headerMismatch(
        header,
        `the notification envelope names protocol version ${version} but the MCP-Protocol-Version header names ${header}`,
        null,
      );
    }
    modern = isModernVersion(version);
  }
  if (modern && headers.method !== undefined && headers.method !== notification.method) {
    return headerMismatch(
      headers.method,
      `the notification body names method ${notification.method} but the Mcp-Method header names ${headers.method}`,
      null,
    );
  }
  return { kind: "modern-notification", notification };
}
