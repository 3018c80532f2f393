import autocannon from "autocannon";
import { MODERN_PROTOCOL_VERSION, mcpHeaders, modernHeaders } from "./mcp-http.js";

/** One tools/call to repeat under load, and how to tell its expected answer from anything else. */
export interface ToolCall {
  readonly name: string;
  readonly arguments: Readonly<Record<string, unknown>>;
  /** A string every expected response body contains (success data, or the expected error type). */
  readonly expect: string;
}

export interface LoadTarget {
  readonly label: string;
  readonly url: URL;
  /** Stateful servers: one initialized session per connection. Empty: no session header. */
  readonly sessions: readonly string[];
  /** "2026-07-28": every request stands alone, with `_meta` and the standard headers; 2025 otherwise. */
  readonly era?: "2026-07-28";
  /** Sent with every request besides the MCP headers (e.g. Authorization). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What one timed run measured. Latencies are kept (not serialized) to pool rounds. */
export interface LoadRun {
  readonly label: string;
  readonly connections: number;
  readonly seconds: number;
  /** Responses with a 2xx status and the expected body, per second. */
  readonly rps: number;
  readonly responses: number;
  /** Connection errors + timeouts + non-2xx + bodies without the expected marker. */
  readonly failures: number;
  readonly latenciesMs: Float64Array;
}

/**
 * The JSON-RPC body of a tools/call (a constant id: one request at a time per connection). In the
 * stateless era the params carry the protocol version and client capabilities in `_meta`.
 */
export function toolCallBody(call: ToolCall, era?: LoadTarget["era"]): string {
  const meta =
    era === undefined
      ? {}
      : {
          _meta: {
            "io.modelcontextprotocol/protocolVersion": MODERN_PROTOCOL_VERSION,
            "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1.0.0" },
            "io.modelcontextprotocol/clientCapabilities": {},
          },
        };
  return JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: { name: call.name, arguments: call.arguments, ...meta },
  });
}

/**
 * Runs `connections` keep-alive connections for `seconds` against the target with autocannon's
 * programmatic API, each connection on its own session. Latency comes from autocannon's per-response
 * timings (sub-millisecond; its own histogram rounds to whole milliseconds).
 */
export async function runLoad(
  target: LoadTarget,
  call: ToolCall,
  options: { connections: number; seconds: number },
): Promise<LoadRun> {
  let nextSession = 0;
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  const instance = autocannon({
    url: target.url.href,
    method: "POST",
    connections: options.connections,
    duration: options.seconds,
    sampleInt: 100,
    timeout: 10,
    headers: { ...(target.era === undefined ? mcpHeaders() : modernHeaders(call.name)), ...target.headers },
    body: toolCallBody(call, target.era),
    setupClient(client) {
      const sessionId = target.sessions[nextSession % Math.max(1, target.sessions.length)];
      nextSession += 1;
      if (sessionId !== undefined) client.setHeaders({ ...mcpHeaders(sessionId), ...target.headers });
    },
    verifyBody: (body) => body.includes(call.expect),
  });
  instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTimeMs: number) => {
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count] = responseTimeMs;
    count += 1;
  });
  const result = await instance;
  const failures = result.errors + result.non2xx + result.mismatches;
  const good = result["2xx"] - result.mismatches;
  return {
    label: target.label,
    connections: options.connections,
    seconds: result.duration,
    rps: good / result.duration,
    responses: good,
    failures,
    latenciesMs: latencies.subarray(0, count),
  };
}

/** The p-th percentile (0–100) of latencies, nearest rank. */
export function percentile(latenciesMs: Float64Array, p: number): number {
  if (latenciesMs.length === 0) return Number.NaN;
  const sorted = Float64Array.from(latenciesMs).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
