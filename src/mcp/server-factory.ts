import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ToolDispatch } from "./tool-dispatch.js";

/** Tells a model what this server is for; shown by clients at initialize. */
const INSTRUCTIONS =
  "Every tool returns a JSON envelope. On success: {success: true, data}. On failure: " +
  "{success: false, error: {type, code, message, suggestion, reference_id}} and, where they apply, " +
  "retry guidance, similar matches and recovery_steps naming tools to call next. Follow the " +
  "suggestion; quote reference_id when reporting a problem.";

export interface ServerFactoryOptions {
  readonly name: string;
  readonly version: string;
  readonly tools: ToolDispatch;
  /** Extra registrations (resources, prompts, completions) made before connect. */
  readonly extend?: (mcp: McpServer) => void;
}

/**
 * Returns a function that builds one MCP server (for one session, or one stateless request).
 * Everything costly (tool listings, schemas) is built once by the caller and shared.
 */
export function createServerFactory(options: ServerFactoryOptions): () => McpServer {
  return () => {
    const mcp = new McpServer(
      { name: options.name, version: options.version },
      { capabilities: { logging: {} }, instructions: INSTRUCTIONS },
    );
    options.tools.install(mcp);
    options.extend?.(mcp);
    return mcp;
  };
}
