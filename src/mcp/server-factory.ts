import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { sessionClientInput } from "./input/session-input.js";
import type { ClientInputSource } from "./raw-tool.js";
import type { ToolDispatch } from "./tool-dispatch.js";

/** Tells a model what this server is for; shown by clients at initialize and server/discover. */
export const INSTRUCTIONS =
  "Every tool returns a JSON envelope. On success: {success: true, data}. On failure: " +
  "{success: false, error: {type, code, message, suggestion, reference_id}} and, where they apply, " +
  "retry guidance, similar matches and recovery_steps naming tools to call next. Follow the " +
  "suggestion; quote reference_id when reporting a problem.";

export interface ServerFactoryOptions {
  readonly name: string;
  readonly version: string;
  readonly tools: ToolDispatch;
  /** Extra registrations (resources, prompts, completions) made before connect. */
  readonly extend?: (mcp: McpServer, inputFor: ClientInputSource) => void;
}

/** Builds the MCP servers: one per 2025 session, and the one shared by every stateless request. */
export interface ServerFactory {
  /** A server for one 2025 session: its handlers ask the client with server→client requests. */
  session(): McpServer;
  /** The long-lived server of stateless requests: `inputFor` finds each request's client input. */
  shared(inputFor: ClientInputSource): McpServer;
}

/**
 * Everything costly (tool listings, schemas) is built once by the caller and shared; a server is
 * only the registrations on top.
 */
export function createServerFactory(options: ServerFactoryOptions): ServerFactory {
  const build = (inputFor: (mcp: McpServer) => ClientInputSource) => {
    const mcp = new McpServer(
      { name: options.name, version: options.version },
      { capabilities: { logging: {} }, instructions: INSTRUCTIONS },
    );
    const source = inputFor(mcp);
    options.tools.install(mcp, source);
    options.extend?.(mcp, source);
    return mcp;
  };
  return {
    session: () =>
      build(
        (mcp) => (extra) =>
          // Without a session there is no stream to send a server→client request back on.
          extra.sessionId === undefined
            ? undefined
            : sessionClientInput(extra, mcp.server.getClientCapabilities()),
      ),
    shared: (inputFor) => build(() => inputFor),
  };
}
