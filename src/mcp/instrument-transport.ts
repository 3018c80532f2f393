import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { NETWORK_TRANSPORT, UNKNOWN_TOOL } from "../observability/metric-labels.js";
import type { Metrics } from "../observability/metrics.js";
import { operationErrorLabels } from "../observability/operation-labels.js";

interface Started {
  readonly method: string;
  readonly tool: string;
  readonly protocolVersion: string;
  readonly startedAt: bigint;
}

/** What the instrumentation learned about the connection, for the session's own metrics. */
export interface TransportInstrumentation {
  /** The negotiated protocol version once initialize was answered; "" before (or if unsupported). */
  protocolVersion(): string;
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

const VERSIONS: ReadonlySet<string> = new Set(SUPPORTED_PROTOCOL_VERSIONS);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** A supported protocol version, or "" (a client must not mint label values with odd headers). */
function versionLabel(value: unknown): string {
  return typeof value === "string" && VERSIONS.has(value) ? value : "";
}

/**
 * Times every request that passes through a connected transport, from the incoming message to
 * its response, into mcp_server_operation_duration_seconds. Measuring at the transport sees every
 * method (including the SDK's own initialize and ping) without wrapping each handler. The tool
 * label is used only for registered tools, so a client cannot mint label values. The protocol
 * version is the request's MCP-Protocol-Version header, else the one initialize negotiated.
 */
export function instrumentTransport(
  transport: Transport,
  metrics: Pick<Metrics, "operationDuration">,
  isKnownTool: (name: string) => boolean,
): TransportInstrumentation {
  const started = new Map<string, Started>();
  const key = (id: unknown) => `${typeof id}:${String(id)}`;
  let negotiated = "";

  const receive = transport.onmessage;
  if (receive === undefined) throw new Error("instrumentTransport must run after server.connect()");
  transport.onmessage = (message, extra) => {
    const record = message as unknown;
    if (isRecord(record) && "id" in record && typeof record.method === "string") {
      let tool = "";
      if (record.method === "tools/call" && isRecord(record.params)) {
        const name = record.params.name;
        tool = typeof name === "string" && isKnownTool(name) ? name : UNKNOWN_TOOL;
      }
      const method = KNOWN_METHODS.has(record.method) ? record.method : "other";
      const header = extra?.requestInfo?.headers["mcp-protocol-version"];
      const protocolVersion = versionLabel(header) || negotiated;
      started.set(key(record.id), { method, tool, protocolVersion, startedAt: process.hrtime.bigint() });
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
        if (entry.method === "initialize" && isRecord(record.result)) {
          negotiated = versionLabel(record.result.protocolVersion);
        }
        const seconds = Number(process.hrtime.bigint() - entry.startedAt) / 1e9;
        metrics.operationDuration.observe(
          {
            mcp_method_name: entry.method,
            gen_ai_tool_name: entry.tool,
            ...operationErrorLabels(record),
            mcp_protocol_version: entry.protocolVersion || negotiated,
            network_transport: NETWORK_TRANSPORT,
          },
          seconds,
        );
      }
    }
    await send(message, options);
  };
  return { protocolVersion: () => negotiated };
}
