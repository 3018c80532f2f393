import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type {
  CallToolResult,
  ServerNotification,
  ServerRequest,
  Tool,
} from "@modelcontextprotocol/sdk/types.js";

/** What the SDK hands a request handler: cancellation signal, progress token, notifications, auth. */
export type McpRequestExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/**
 * A tool answered directly in MCP terms, without the tool runner's envelope. Only the conformance
 * fixtures use this: they must return exact protocol shapes (images, audio, embedded resources)
 * and send server→client requests. Product tools go through the tool runner instead.
 */
export interface RawTool {
  /** The entry tools/list shows: name, description, inputSchema (JSON Schema), annotations. */
  readonly definition: Tool;
  call(args: Record<string, unknown>, extra: McpRequestExtra): Promise<CallToolResult>;
}
