import type { IncomingMessage } from "node:http";
import { SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/sdk/types.js";
export { namesModernVersion } from "../http/refusal-code.js";

/** A request header's value when it is given once, trimmed of the whitespace HTTP allows around it. */
export function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === "string" ? value.trim() : undefined;
}

/** The 2025 protocol versions a session may speak. */
export const LEGACY_VERSIONS: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS;

/** A POST's client must take either kind of answer: JSON, or an SSE stream. */
export function acceptsJsonAndSse(req: IncomingMessage): boolean {
  const accept = headerOf(req, "accept") ?? "";
  return accept.includes("application/json") && accept.includes("text/event-stream");
}

export function acceptsSse(req: IncomingMessage): boolean {
  return (headerOf(req, "accept") ?? "").includes("text/event-stream");
}

/** Why a 2025 request's MCP-Protocol-Version header cannot be served, or undefined when it can. */
export function legacyVersionProblem(req: IncomingMessage): string | undefined {
  const version = headerOf(req, "mcp-protocol-version");
  if (version === undefined || LEGACY_VERSIONS.includes(version)) return undefined;
  return `Bad Request: Unsupported protocol version: ${version} (supported versions: ${LEGACY_VERSIONS.join(", ")})`;
}
