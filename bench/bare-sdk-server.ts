import { randomUUID } from "node:crypto";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import express, { type Response } from "express";
import { z } from "zod";

/**
 * The SDK's floor: McpServer + StreamableHTTPServerTransport + express.json with one trivial
 * tool and nothing else (no logging, metrics, guards, event store or idle expiry). The same SDK
 * version as the product. PORT, MCP_SESSION_MODE and MCP_JSON_RESPONSE mean what they mean for
 * the product; it binds 127.0.0.1 only.
 */
const port = Number(process.env.PORT ?? "0");
const stateless = process.env.MCP_SESSION_MODE === "stateless";
const enableJsonResponse = process.env.MCP_JSON_RESPONSE === "true";

function createServer(): McpServer {
  const server = new McpServer({ name: "bare-sdk", version: "1.0.0" });
  server.registerTool(
    "echo",
    { description: "Echoes the message back", inputSchema: { message: z.string() } },
    ({ message }) => ({ content: [{ type: "text", text: `Echo: ${message}` }] }),
  );
  return server;
}

function sessionNotFound(res: Response): void {
  res.status(404).json({ jsonrpc: "2.0", error: { code: -32001, message: "Session not found" }, id: null });
}

const transports = new Map<string, StreamableHTTPServerTransport>();
const app = express();
app.use(express.json());

app.post("/mcp", async (req, res) => {
  if (stateless) {
    const server = createServer();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse,
    });
    res.on("close", () => {
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
    return;
  }
  const sessionId = req.headers["mcp-session-id"];
  if (typeof sessionId === "string") {
    const transport = transports.get(sessionId);
    if (transport === undefined) {
      sessionNotFound(res);
      return;
    }
    await transport.handleRequest(req, res, req.body);
    return;
  }
  const server = createServer();
  const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
    sessionIdGenerator: randomUUID,
    enableJsonResponse,
    onsessioninitialized: (id) => {
      transports.set(id, transport);
    },
  });
  transport.onclose = () => {
    if (transport.sessionId !== undefined) transports.delete(transport.sessionId);
  };
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});

app.delete("/mcp", async (req, res) => {
  const sessionId = req.headers["mcp-session-id"];
  const transport = typeof sessionId === "string" ? transports.get(sessionId) : undefined;
  if (transport === undefined) {
    sessionNotFound(res);
    return;
  }
  await transport.handleRequest(req, res);
});

app.listen(port, "127.0.0.1");

// Exit normally on SIGTERM so that --cpu-prof can write its profile.
process.once("SIGTERM", () => process.exit(0));
