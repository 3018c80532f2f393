import { randomUUID } from "node:crypto";
import type { JSONRPCRequest } from "@modelcontextprotocol/sdk/types.js";
import type { SessionRecord } from "./session-registry.js";
import type { StreamableHttpTransport } from "./transport/streamable-http-transport.js";

/** What a client declared at initialize, kept so another replica can rebuild its session. */
export interface InitializeParams {
  readonly clientCapabilities: Record<string, unknown>;
  readonly clientInfo: { readonly name: string; readonly version: string };
}

/** The capabilities and identity an initialize request declared. */
export function initializeParamsOf(request: JSONRPCRequest): InitializeParams {
  const params = request.params ?? {};
  const capabilities = params.capabilities;
  const info = params.clientInfo as { name?: unknown; version?: unknown } | undefined;
  return {
    clientCapabilities:
      typeof capabilities === "object" && capabilities !== null
        ? (capabilities as Record<string, unknown>)
        : {},
    clientInfo: {
      name: typeof info?.name === "string" ? info.name : "unknown",
      version: typeof info?.version === "string" ? info.version : "0",
    },
  };
}

/**
 * Makes a fresh server and transport serve a session opened on another replica. The transport
 * takes the session's id; the server goes through the same initialize handshake the client once
 * sent, from the record, so it knows the client's capabilities (whether it may ask the user, sample,
 * list roots) exactly as the replica that answered initialize did. The handshake's answer goes
 * nowhere: no POST is waiting for it.
 */
export function adoptSession(transport: StreamableHttpTransport, record: SessionRecord): void {
  transport.adopt(record.sessionId);
  transport.onmessage?.({
    jsonrpc: "2.0",
    id: `restore-${randomUUID()}`,
    method: "initialize",
    params: {
      protocolVersion: record.protocolVersion,
      capabilities: record.clientCapabilities,
      clientInfo: record.clientInfo,
    },
  });
  transport.onmessage?.({ jsonrpc: "2.0", method: "notifications/initialized" });
}
