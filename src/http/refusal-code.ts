import type { IncomingMessage } from "node:http";
import { JsonRpcCode } from "./json-rpc-error.js";

/** The first protocol revision of the stateless era; revisions are ISO dates, so they sort. */
export const FIRST_MODERN_VERSION = "2026-07-28";

/** Whether a protocol version names the stateless era (2026-07-28 or later). */
export function isModernVersion(version: string): boolean {
  return version >= FIRST_MODERN_VERSION;
}

/** A request that names a 2026 protocol version in its MCP-Protocol-Version header. */
export function namesModernVersion(req: IncomingMessage): boolean {
  const version = req.headers["mcp-protocol-version"];
  return typeof version === "string" && isModernVersion(version.trim());
}

/**
 * The JSON-RPC code of an HTTP-level refusal that has no code of its own (wrong media type, body
 * too large, a host or origin refused): a 2026 client gets -32600, a code its revision defines
 * (it reserves -32000…-32019 as legacy); a 2025 client gets -32000, as the SDK answers.
 */
export function refusalCodeFor(req: IncomingMessage): number {
  return namesModernVersion(req) ? JsonRpcCode.invalidRequest : JsonRpcCode.serverError;
}
