import { createServer } from "node:http";
import { toNodeHandler } from "@modelcontextprotocol/node";
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";

/**
 * The SDK v2 reference for the stateless era: `createMcpHandler` with its default posture (2026
 * requests on the modern path, 2025 requests through its stateless fallback), mounted on Node's
 * http server with the SDK's own adapter, one trivial tool and nothing else. The handler builds a
 * server from the factory for every request; that is what the benchmark measures against the
 * product's shared server. PORT as for the product; it binds 127.0.0.1 only.
 */
const port = Number(process.env.PORT ?? "0");

function factory(): McpServer {
  const server = new McpServer({ name: "sdk-v2", version: "1.0.0" });
  server.registerTool(
    "echo",
    { description: "Echoes the message back", inputSchema: z.object({ message: z.string() }) },
    ({ message }) => ({ content: [{ type: "text", text: `Echo: ${message}` }] }),
  );
  return server;
}

const handler = toNodeHandler(createMcpHandler(factory));
createServer((req, res) => {
  void handler(req, res);
}).listen(port, "127.0.0.1");
