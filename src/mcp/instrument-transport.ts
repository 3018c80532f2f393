import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { Metrics } from "../observability/metrics.js";

interface Started {
  readonly method: string;
  readonly tool: string;
  readonly startedAt: bigint;
}

/** Methods a client may call; anything else is labelled "other" so labels stay a closed set. */
const KNOWN_METHODS = new Set([
  "initialize",
  "ping",
  "tools/list",
  "tools/call",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "resources/subscribe",
  "resources/unsubscribe",
  "prompts/list",
  "prompts/get",
  "completion/complete",
  "logging/setLevel",
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/**
 * Times every request that passes through a connected transport, from the incoming message to
 * its response, into mcp_server_operation_duration_seconds. Measuring at the transport sees every
 * method (including the SDK's own initialize and ping) without wrapping each handler. The tool
 * label is used only for registered tools, so a client cannot mint label values.
 */
export function instrumentTransport(
  transport: Transport,
  metrics: Metrics,
  isKnownTool: (name: string) => boolean,
): void {
  const started = new Map<string, Started>();
  const key = (id: unknown) => `${typeof id}:${String(id)}`;

  const receive = transport.onmessage;
  if (receive === undefined) throw new Error("instrumentTransport must run after server.connect()");
  transport.onmessage = (message, extra) => {
    const record = message as unknown;
    if (isRecord(record) && "id" in record && typeof record.method === "string") {
      let tool = "";
      if (record.method === "tools/call" && isRecord(record.params)) {
        const name = record.params.name;
        tool = typeof name === "string" && isKnownTool(name) ? name : "unknown";
      }
      const method = KNOWN_METHODS.has(record.method) ? record.method : "other";
      started.set(key(record.id), { method, tool, startedAt: process.hrtime.bigint() });
    }
    // A cancelled request gets no response, so its entry would never be removed otherwise.
    if (isRecord(record) && record.method === "notifications/cancelled" && isRecord(record.params)) {
      started.delete(key(record.params.requestId));
    }
    receive.call(transport, message, extra);
  };

  const send = transport.send.bind(transport);
  transport.send = async (message: JSONRPCMessage, options) => {
    const record = message as unknown;
    if (isRecord(record) && "id" in record && !("method" in record)) {
      const entry = started.get(key(record.id));
      if (entry !== undefined) {
        started.delete(key(record.id));
        let errorType = "";
        if (isRecord(record.error)) errorType = String(record.error.code);
        else if (isRecord(record.result) && record.result.isError === true) errorType = "tool_error";
        const seconds = Number(process.hrtime.bigint() - entry.startedAt) / 1e9;
        metrics.operationDuration.observe(
          { mcp_method_name: entry.method, gen_ai_tool_name: entry.tool, error_type: errorType },
          seconds,
        );
      }
    }
    await send(message, options);
  };
}
