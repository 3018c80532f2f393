/**
 * An error the SDK turns into a JSON-RPC error with exactly this code, message and data. (The
 * SDK's McpError prefixes "MCP error -32602:" to the message, which a model does not need.)
 */
export class ProtocolError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ProtocolError";
  }
}
