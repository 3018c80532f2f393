import assert from "node:assert/strict";
import { mcpHeaders } from "./mcp-requests.js";
import { parseSseEvents, type SseEvent } from "./sse-events.js";

/**
 * MCP over plain fetch, as a minimal client speaks it: a session opened by hand and every answer
 * read with its status, content type, SSE events (ids included) and JSON-RPC messages. Every
 * request gives up after a few seconds, so a server that never answers fails the test instead of
 * hanging it.
 */

const REQUEST_TIMEOUT_MS = 5_000;

/** One HTTP answer as the client saw it. */
export interface HttpAnswer {
  readonly status: number;
  /** The Content-Type header, "" when there is none. */
  readonly contentType: string;
  readonly headers: Headers;
  readonly text: string;
  /** The SSE events of a text/event-stream answer (priming events included); [] otherwise. */
  readonly events: readonly SseEvent[];
  /** The JSON-RPC messages: the JSON body (an array is spread) or the data of every SSE event. */
  readonly messages: readonly any[];
}

/** Reads a whole answer; for SSE that means until the server ends the stream. */
export async function readAnswer(res: Response): Promise<HttpAnswer> {
  const contentType = res.headers.get("content-type") ?? "";
  const text = await res.text().catch((error: unknown) => {
    throw new Error(
      `the ${String(res.status)} "${contentType}" answer did not complete: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  const base = { status: res.status, contentType, headers: res.headers, text };
  if (contentType.startsWith("text/event-stream")) {
    const events = parseSseEvents(text);
    const messages = events.flatMap((event) =>
      event.data === "" ? [] : [JSON.parse(event.data) as unknown],
    );
    return { ...base, events, messages };
  }
  if (contentType.startsWith("application/json")) {
    const parsed = JSON.parse(text) as unknown;
    return { ...base, events: [], messages: Array.isArray(parsed) ? parsed : [parsed] };
  }
  return { ...base, events: [], messages: [] };
}

/** A signal that aborts after `timeoutMs`, or when `signal` does. */
function deadline(timeoutMs: number | undefined, signal: AbortSignal | undefined): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs ?? REQUEST_TIMEOUT_MS);
  return signal === undefined ? timeout : AbortSignal.any([timeout, signal]);
}

export interface SendOptions {
  /** Headers added to (or replacing) the session's own. */
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** The body of an initialize request for `protocolVersion` with the given client capabilities. */
export function initializeRequest(protocolVersion: string, capabilities: Record<string, unknown> = {}) {
  return {
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: { protocolVersion, capabilities, clientInfo: { name: "fetch-test", version: "1.0.0" } },
  };
}

/** The body of a tools/call request; with a progress token, the client asks for progress. */
export function toolCallRequest(
  id: number | string,
  name: string,
  args: Record<string, unknown> = {},
  progressToken?: string,
) {
  const params: Record<string, unknown> = { name, arguments: args };
  if (progressToken !== undefined) params._meta = { progressToken };
  return { jsonrpc: "2.0", id, method: "tools/call", params };
}

/** An MCP session over fetch: initialize, notifications/initialized, then POST, GET and DELETE. */
export class McpHttpSession {
  private constructor(
    readonly mcpUrl: URL,
    readonly id: string,
    readonly protocolVersion: string,
    /** Sent with every request of the session too (e.g. Authorization). */
    private readonly extraHeaders: Record<string, string> = {},
  ) {}

  /** Opens a session; the server must accept `protocolVersion` as it is. */
  static async open(
    mcpUrl: URL,
    options: {
      protocolVersion?: string;
      capabilities?: Record<string, unknown>;
      headers?: Record<string, string>;
    } = {},
  ): Promise<McpHttpSession> {
    const protocolVersion = options.protocolVersion ?? "2025-11-25";
    const res = await fetch(mcpUrl, {
      method: "POST",
      headers: { ...mcpHeaders, ...options.headers },
      body: JSON.stringify(initializeRequest(protocolVersion, options.capabilities)),
      signal: deadline(undefined, undefined),
    });
    const init = await readAnswer(res);
    assert.equal(init.status, 200, `initialize: ${init.text}`);
    assert.equal(init.messages[0]?.result?.protocolVersion, protocolVersion, "the server kept the version");
    const id = res.headers.get("mcp-session-id");
    assert.ok(id !== null && id !== "", "initialize returned an Mcp-Session-Id");
    const session = new McpHttpSession(mcpUrl, id, protocolVersion, options.headers);
    const initialized = await readAnswer(
      await session.post({ jsonrpc: "2.0", method: "notifications/initialized" }),
    );
    assert.equal(initialized.status, 202, `notifications/initialized: ${initialized.text}`);
    return session;
  }

  /** The same session, addressed to another server (a replica sharing its sessions). */
  on(mcpUrl: URL): McpHttpSession {
    return new McpHttpSession(mcpUrl, this.id, this.protocolVersion);
  }

  /** The headers every request of the session carries. */
  get headers(): Record<string, string> {
    return {
      ...mcpHeaders,
      ...this.extraHeaders,
      "Mcp-Session-Id": this.id,
      "MCP-Protocol-Version": this.protocolVersion,
    };
  }

  /** POSTs one message or a batch; resolves when the answer's headers arrive. */
  post(body: unknown, options: SendOptions = {}): Promise<Response> {
    return fetch(this.mcpUrl, {
      method: "POST",
      headers: { ...this.headers, ...options.headers },
      body: JSON.stringify(body),
      signal: deadline(options.timeoutMs, options.signal),
    });
  }

  /** GETs an SSE stream: the standalone one, or a resumption with a Last-Event-ID header. */
  get(options: SendOptions = {}): Promise<Response> {
    const { "Content-Type": _contentType, ...headers } = this.headers;
    return fetch(this.mcpUrl, {
      method: "GET",
      headers: { ...headers, Accept: "text/event-stream", ...options.headers },
      signal: deadline(options.timeoutMs, options.signal),
    });
  }

  /** Resumes a stream after `lastEventId`. */
  resume(lastEventId: string, options: SendOptions = {}): Promise<Response> {
    return this.get({ ...options, headers: { "Last-Event-ID": lastEventId, ...options.headers } });
  }

  /** Ends the session. */
  async delete(): Promise<HttpAnswer> {
    const { "Content-Type": _contentType, ...headers } = this.headers;
    return readAnswer(
      await fetch(this.mcpUrl, { method: "DELETE", headers, signal: deadline(undefined, undefined) }),
    );
  }
}
