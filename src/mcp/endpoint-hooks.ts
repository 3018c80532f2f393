import type { JSONRPCRequest, JSONRPCResponse } from "@modelcontextprotocol/sdk/types.js";
import type { Principal } from "../tools/tool-definition.js";
import type { RequestCaller } from "./request-observer.js";

/** One JSON-RPC request the endpoint answered, in label-safe terms (closed sets only). */
export interface McpRequestEvent {
  /** The JSON-RPC method if it is one MCP defines, else "other". */
  readonly method: string;
  /** For tools/call: the tool's name if it is registered, else "unknown". */
  readonly toolName: string | undefined;
  /** The protocol version the request was served under if this server speaks it, else "other". */
  readonly protocolVersion: string;
  /** "session" for 2025 sessions, "stateless" for 2026 requests and 2025 stateless mode. */
  readonly era: "session" | "stateless";
  /** The JSON-RPC error code of the answer, if it was an error. */
  readonly errorCode: number | undefined;
  /**
   * The error catalog type of the answer ("" on success): a JSON-RPC error's code mapped onto the
   * catalog, or the type in a failed tool result's envelope ("tool_error" without one).
   */
  readonly errorType: string;
  /** True for a tools/call whose result is `isError` (a tool error, not a protocol error). */
  readonly toolError: boolean;
  readonly durationSeconds: number;
}

/** One JSON-RPC request as it arrives, as the client sent it (for tracing; not label-safe). */
export interface McpRequestStart {
  readonly request: JSONRPCRequest;
  /** The protocol version it is served under, as the client named it. */
  readonly protocolVersion: string;
  readonly era: "session" | "stateless";
  /** For tools/call: the tool's name if it is registered, else "unknown". */
  readonly toolName: string | undefined;
  readonly caller: RequestCaller;
}

/** Told the answer of a request that McpEndpointHooks.onRequestStarted saw arrive. */
export type McpRequestFinish = (response: JSONRPCResponse) => void;

/** Why a request on (or for) a 2025 session was refused. */
export type SessionRefusalReason = "capacity" | "principal_capacity" | "draining" | "session_mismatch";

/** A refused session request: why, and for a mismatch, which session and who presented it. */
export interface SessionRefusal {
  readonly reason: SessionRefusalReason;
  readonly sessionId?: string;
  /** The principal that presented another's session; undefined when anonymous. */
  readonly principal?: Principal;
}

/** What the endpoint reports; every hook is optional and must not throw. */
export interface McpEndpointHooks {
  /**
   * Every JSON-RPC request a server answered, once (unknown tools included), and every 2026
   * request refused before it reached one. 2025 requests refused at the HTTP level (no session,
   * wrong Accept, a reused id) never reached a server and are not reported here.
   */
  readonly onRequestDone?: (event: McpRequestEvent) => void;
  /**
   * The same requests as onRequestDone, at arrival, with their answer reported to the function it
   * returns (tracing). Absent, a request costs nothing more than the metrics' bookkeeping.
   */
  readonly onRequestStarted?: (start: McpRequestStart) => McpRequestFinish;
  /** A new session refused (capacity, draining), or a session used by a principal other than its own. */
  readonly onSessionRefused?: (refusal: SessionRefusal) => void;
}
