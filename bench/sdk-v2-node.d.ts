/**
 * The part of @modelcontextprotocol/node the benchmark uses. Declared here so that lint and
 * typecheck pass on a clone where bench/node_modules has not been installed (CI never installs
 * it); the package itself is installed by bench/run.sh.
 */
declare module "@modelcontextprotocol/node" {
  import type { IncomingMessage, ServerResponse } from "node:http";
  import type { McpHttpHandler } from "@modelcontextprotocol/server";

  /** Adapts the SDK's web-standard MCP handler to Node's http server. */
  export function toNodeHandler(
    handler: McpHttpHandler,
  ): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}
