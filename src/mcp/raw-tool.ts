import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type {
  CallToolResult,
  ServerNotification,
  ServerRequest,
  Tool,
} from "@modelcontextprotocol/sdk/types.js";
import type { ClientInput } from "./input/client-input.js";

/** What the SDK hands a request handler: cancellation signal, progress token, notifications, auth. */
export type McpRequestExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Where a handler reaches the client for this request, if it can (see ClientInput). */
export type ClientInputSource = (extra: McpRequestExtra) => ClientInput | undefined;

/**
 * A tool answered directly in MCP terms, without the tool runner's envelope. Only the conformance
 * fixtures use this: they must return exact protocol shapes (images, audio, embedded resources,
 * input requests) and reach the client. Product tools go through the tool runner instead.
 */
export interface RawTool {
  /** The entry tools/list shows: name, description, inputSchema (JSON Schema), annotations. */
  readonly definition: Tool;
  /** `input` is absent when the client cannot be asked (a 2025 request without a session). */
  call(args: Record<string, unknown>, extra: McpRequestExtra, input?: ClientInput): Promise<CallToolResult>;
}
