import express from "express";

/**
 * The HTTP floor on this machine: Express 5 + express.json answering the same tools/call body
 * with a JSON-RPC result of the same shape an MCP echo tool returns. No MCP at all.
 */
const port = Number(process.env.PORT ?? "0");
const app = express();
app.use(express.json());

app.post("/mcp", (req, res) => {
  const body = req.body as { id?: unknown; params?: { arguments?: { message?: unknown } } };
  res.json({
    jsonrpc: "2.0",
    id: body.id ?? null,
    result: { content: [{ type: "text", text: `Echo: ${String(body.params?.arguments?.message)}` }] },
  });
});

app.listen(port, "127.0.0.1");

// Exit normally on SIGTERM so that --cpu-prof can write its profile.
process.once("SIGTERM", () => process.exit(0));
