import { Agent } from "node:http";
import { inParallel } from "./in-parallel.js";
import { openSession } from "./mcp-http.js";
import type { LoadTarget, ToolCall } from "./mcp-load.js";
import type { RunningServer, ServerSpec } from "./servers.js";

/** get_user on an existing user: the product's success path. */
export const getUserFound: ToolCall = {
  name: "get_user",
  arguments: { user_id: "1" },
  expect: '"success":true',
};
/** get_user with a malformed id: a validation_error envelope (isError). */
export const getUserInvalid: ToolCall = {
  name: "get_user",
  arguments: { user_id: "abc" },
  expect: '"type":"validation_error"',
};
/** get_user with an id no user has: a not_found envelope with similar ids (isError). */
export const getUserMissing: ToolCall = {
  name: "get_user",
  arguments: { user_id: "999" },
  expect: '"type":"not_found"',
};
/** The trivial tool of the reference servers (and the Express floor's imitation of it). */
export const echo: ToolCall = { name: "echo", arguments: { message: "bench" }, expect: "Echo: bench" };

/** The call a server kind answers in the comparison. */
export function successCallFor(spec: ServerSpec): ToolCall {
  return spec.kind === "resilient" ? getUserFound : echo;
}

/** The product with its whole stack on (error service, metrics, JSON logs at info to a file). */
export const resilient: ServerSpec = { kind: "resilient", label: "resilient-mcp" };
export const bareSdk: ServerSpec = { kind: "bare-sdk", label: "bare SDK" };
export const everything: ServerSpec = { kind: "everything", label: "server-everything" };
export const expressEcho: ServerSpec = { kind: "express-echo", label: "Express echo" };
/** SDK v2's createMcpHandler: a server built per request, both eras (2025 through its stateless fallback). */
export const sdkV2: ServerSpec = { kind: "sdk-v2", label: "SDK v2 stateless handler" };

/**
 * Transport modes, as the product and the bare server read them: MCP_SESSION_MODE ×
 * MCP_JSON_RESPONSE, plus MCP_STREAM_AFTER_MS=0, which makes the product stream every POST the way
 * the SDK's transport does (the bare server ignores it). By default the product answers a call
 * that needs no stream with plain JSON.
 */
export const MODES = [
  { name: "stateful, default", env: {} },
  { name: "stateful, always SSE", env: { MCP_STREAM_AFTER_MS: "0" } },
  { name: "stateful JSON", env: { MCP_JSON_RESPONSE: "true" } },
  { name: "stateless, default", env: { MCP_SESSION_MODE: "stateless" } },
  { name: "stateless JSON", env: { MCP_SESSION_MODE: "stateless", MCP_JSON_RESPONSE: "true" } },
] as const;

export function isStateless(spec: ServerSpec): boolean {
  return spec.kind === "express-echo" || spec.kind === "sdk-v2" || spec.env?.MCP_SESSION_MODE === "stateless";
}

/**
 * Opens `connections` sessions (none for stateless servers) so that every connection has its own;
 * `headers` (e.g. credentials) go with the sessions' requests and with the load.
 */
export async function prepareTarget(
  server: RunningServer,
  connections: number,
  headers: Readonly<Record<string, string>> = {},
): Promise<LoadTarget> {
  const sessions: string[] = [];
  if (!isStateless(server.spec)) {
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    try {
      await inParallel(connections, 8, async (index) => {
        sessions[index] = await openSession(server.url, agent, headers);
      });
    } finally {
      agent.destroy();
    }
  }
  return { label: server.spec.label, url: server.url, sessions, headers };
}
