import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ERROR_TYPES } from "../../src/errors/catalog.js";
import { deadlineSignal, urlOf } from "./deadline.js";
import { initializeBody, mcpHeaders } from "./mcp-requests.js";
import { parseSseMessages } from "./sse-events.js";

/**
 * Raw HTTP for the reliability suite: requests with any bytes and headers (node:http, so Host and
 * invalid UTF-8 can be sent), checks that a response leaks nothing and carries a usable error, and
 * the server process's resident memory.
 */

/** The repository root: a response that shows it leaks the server's layout. */
export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");

/** One HTTP exchange as the client saw it. */
export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** JSON-RPC messages of the body (SSE data lines or one JSON value), or undefined if not JSON. */
  readonly messages: readonly unknown[] | undefined;
}

export interface RawRequest {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: string | Uint8Array;
  /** Fails the request (rejects) when no complete answer came in this time. */
  readonly timeoutMs?: number;
  /** Sends no Host header unless `headers.host` is given. */
  readonly omitHost?: boolean;
  /** Resolves as soon as the headers arrive and then drops the connection (for endless SSE streams). */
  readonly headersOnly?: boolean;
  /** Like headersOnly, but only when the answer is an SSE stream (a GET stream never ends by itself). */
  readonly stopOnEventStream?: boolean;
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/** Sends one request to `base` (http://127.0.0.1:port) and reads the whole answer. */
export function rawRequest(base: URL, options: RawRequest): Promise<RawResponse> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method: options.method ?? "POST",
        path: options.path ?? "/mcp",
        headers: options.headers ?? {},
        agent,
        setHost: options.omitHost !== true,
      },
      (res) => {
        const eventStream = (res.headers["content-type"] ?? "").includes("text/event-stream");
        if (options.headersOnly === true || (options.stopOnEventStream === true && eventStream)) {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: "", messages: undefined });
          res.destroy();
          req.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            messages: parseBody(res.headers, text),
          });
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(options.body);
  });
}

function parseBody(headers: IncomingHttpHeaders, text: string): unknown[] | undefined {
  if (text === "") return [];
  try {
    if ((headers["content-type"] ?? "").includes("text/event-stream")) return parseSseMessages(text);
    // A batch is answered with an array of responses.
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
  } catch {
    return undefined;
  }
}

/** The JSON body of a tools/call request. */
export function toolCallBody(id: number | string, name: string, args: unknown): string {
  return JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });
}

/** A session opened with raw HTTP, as a minimal client would. */
export interface RawSession {
  readonly id: string;
  /** Headers every request of the session carries. */
  readonly headers: Record<string, string>;
}

/** initialize + notifications/initialized, without the SDK. */
export async function openRawSession(base: URL): Promise<RawSession> {
  const init = await rawRequest(base, { headers: mcpHeaders, body: JSON.stringify(initializeBody()) });
  assert.equal(init.status, 200, init.text);
  const id = init.headers["mcp-session-id"];
  assert.equal(typeof id, "string");
  const headers = { ...mcpHeaders, "mcp-session-id": String(id), "mcp-protocol-version": "2025-11-25" };
  const initialized = await rawRequest(base, {
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
  assert.equal(initialized.status, 202, initialized.text);
  return { id: String(id), headers };
}

/** Ends a raw session (DELETE). */
export async function closeRawSession(base: URL, session: RawSession): Promise<number> {
  const response = await rawRequest(base, { method: "DELETE", headers: session.headers });
  return response.status;
}

/** Calls a tool on a raw session and returns the JSON-RPC message that answers it. */
export async function rawToolCall(
  base: URL,
  session: RawSession,
  id: number,
  name: string,
  args: unknown,
): Promise<{ response: RawResponse; message: any }> {
  const response = await rawRequest(base, { headers: session.headers, body: toolCallBody(id, name, args) });
  const message = response.messages?.find(
    (candidate) =>
      typeof candidate === "object" && candidate !== null && (candidate as { id?: unknown }).id === id,
  );
  return { response, message };
}

/** What a tool result told the model, after its shape was checked. */
export type ToolOutcome =
  | { readonly kind: "success" }
  | { readonly kind: "error"; readonly type: string; readonly retry: any; readonly error: any }
  | { readonly kind: "batch"; readonly failed: number; readonly errorTypes: readonly string[] };

const KNOWN_TYPES: ReadonlySet<string> = new Set(ERROR_TYPES);

/**
 * Checks a CallToolResult as a model reads it: one text content holding the envelope; an error
 * carries a catalog type, a code, a message and a non-empty suggestion; a batch's failed items
 * each carry a type and a suggestion. Throws (an assertion) when the result is unusable.
 */
export function inspectToolResult(result: any): ToolOutcome {
  assert.ok(Array.isArray(result?.content), `no content: ${JSON.stringify(result).slice(0, 300)}`);
  const first = result.content[0];
  assert.equal(first?.type, "text", "the first content is text");
  const envelope: any = JSON.parse(String(first.text));
  if (result.structuredContent !== undefined) assert.deepEqual(result.structuredContent, envelope);
  assert.equal(typeof envelope.success, "boolean", "the envelope says whether it succeeded");
  if (envelope.summary !== undefined) {
    const errors = envelope.errors as any[];
    assert.ok(Array.isArray(errors) && Array.isArray(envelope.results), "a batch has results and errors");
    for (const item of errors) {
      assert.ok(KNOWN_TYPES.has(item.error_type), `batch error type ${String(item.error_type)}`);
      assert.ok(typeof item.suggestion === "string" && item.suggestion.length > 0, "batch item suggestion");
    }
    assert.equal(envelope.summary.failed, errors.length);
    return {
      kind: "batch",
      failed: errors.length,
      errorTypes: errors.map((item) => String(item.error_type)),
    };
  }
  if (envelope.success === true) {
    assert.notEqual(result.isError, true, "a success envelope is not flagged isError");
    return { kind: "success" };
  }
  assert.equal(result.isError, true, "a failure envelope is flagged isError");
  const error = envelope.error;
  assert.ok(KNOWN_TYPES.has(error?.type), `error type ${String(error?.type)} is in the catalog`);
  assert.equal(typeof error.code, "number");
  assert.ok(typeof error.message === "string" && error.message.length > 0, "error.message");
  assert.ok(typeof error.suggestion === "string" && error.suggestion.length > 0, "error.suggestion");
  assert.match(String(error.reference_id), /^ref_/);
  return { kind: "error", type: String(error.type), retry: error.retry, error };
}

const STACK_FRAME = /\bat (?:async )?[^\s()]*\s*\(?(?:file:\/\/|node:|\/)[^\s)]*:\d+(?::\d+)?\)?/;

/**
 * Fails when a response shows a stack frame or an internal path the request did not itself
 * contain (a server may echo what the client sent; it may not show its own layout).
 */
export function assertNoLeak(
  responseText: string,
  requestText: string,
  extraPaths: readonly string[] = [],
): void {
  const frame = STACK_FRAME.exec(responseText);
  assert.equal(frame, null, `stack frame in response: ${frame?.[0] ?? ""}`);
  const markers = [REPO_ROOT, "node_modules", `${tmpdir()}/resilient-mcp`, ...extraPaths];
  for (const marker of markers) {
    if (requestText.includes(marker)) continue;
    assert.ok(
      !responseText.includes(marker),
      `response shows internal path ${marker}: ${excerpt(responseText, marker)}`,
    );
  }
}

function excerpt(text: string, marker: string): string {
  const at = text.indexOf(marker);
  return text.slice(Math.max(0, at - 120), at + marker.length + 120);
}

/** Resident set size of a process in KiB (Linux /proc), or undefined once it is gone. */
export function rssKiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** GET /health: the status code, or 0 when the server cannot be reached. */
export async function healthStatus(base: URL): Promise<number> {
  try {
    return (await rawRequest(base, { method: "GET", path: "/health", timeoutMs: 5_000 })).status;
  } catch {
    return 0;
  }
}

/** A fetch for the SDK client transport that counts every HTTP status it sees. */
export function countingFetch(statuses: Map<number, number>, fiveHundreds: string[]): typeof fetch {
  return async (input, init) => {
    // The SDK client passes its own signal (its request timeout, or the stream's lifetime).
    const signal = init?.signal ?? deadlineSignal(`an answer to ${init?.method ?? "GET"} ${urlOf(input)}`);
    const response = await fetch(input, { ...init, signal });
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    if (response.status >= 500) {
      fiveHundreds.push(
        `${init?.method ?? "GET"} ${String(response.status)}: ${await response.clone().text()}`,
      );
    }
    return response;
  };
}

/** One sample of a Prometheus series from /metrics text (first match), or undefined. */
export function metricValue(metricsText: string, line: RegExp): number | undefined {
  for (const row of metricsText.split("\n")) {
    if (!line.test(row)) continue;
    const value = Number(row.slice(row.lastIndexOf(" ") + 1));
    if (!Number.isNaN(value)) return value;
  }
  return undefined;
}

/**
 * POSTs `body` and drops the connection as soon as the first chunk of the answer arrives (or,
 * with `when: "sent"`, right after the request is written): a client that goes away mid-stream.
 */
export function disconnectMidStream(
  base: URL,
  headers: OutgoingHttpHeaders,
  body: string,
  when: "first-chunk" | "sent" = "first-chunk",
): Promise<{ status: number; firstChunk: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: base.hostname,
      port: base.port,
      method: "POST",
      path: "/mcp",
      headers,
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error("no answer began within 15 s"));
    }, 15_000);
    req.on("error", () => undefined);
    req.on("response", (res) => {
      res.once("data", (chunk: Buffer) => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, firstChunk: chunk.toString("utf8") });
      });
    });
    req.end(body, () => {
      if (when !== "sent") return;
      clearTimeout(timer);
      setImmediate(() => {
        req.destroy();
        resolve({ status: 0, firstChunk: "" });
      });
    });
  });
}

/** Temporary directories made by a test file, removed together when it ends. */
export function scratchDirs(prefix: string): { make(): string; removeAll(): void } {
  const made: string[] = [];
  return {
    make() {
      const dir = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
      made.push(dir);
      return dir;
    },
    removeAll() {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
