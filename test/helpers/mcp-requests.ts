import { parseSseMessages } from "./sse-events.js";

/** Raw JSON-RPC bodies and headers for tests that speak HTTP directly. */
export const initializeBody = (id: number | string = 1) => ({
  jsonrpc: "2.0",
  id,
  method: "initialize",
  params: {
    protocolVersion: "2025-11-25",
    capabilities: {},
    clientInfo: { name: "http-test", version: "1.0.0" },
  },
});

export const mcpHeaders = {
  "Content-Type": "application/json",
  Accept: "application/json, text/event-stream",
};

/** The JSON-RPC messages of a POST's answer, whether the server chose plain JSON or SSE. */
export function answerMessages(res: { headers: Record<string, unknown>; text: string }): unknown[] {
  const type = String(res.headers["content-type"]);
  if (type.startsWith("application/json")) {
    const parsed = JSON.parse(res.text) as unknown;
    return Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
  }
  if (type.startsWith("text/event-stream")) return parseSseMessages(res.text);
  throw new Error(`unexpected content type ${type}`);
}
