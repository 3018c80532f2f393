import assert from "node:assert/strict";
import { EventEmitter, once } from "node:events";
import { after, before, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { z } from "zod";
import { defineTool } from "../../src/tools/tool-definition.js";
import {
  McpHttpSession,
  initializeRequest,
  readAnswer,
  toolCallRequest,
  type HttpAnswer,
} from "../helpers/mcp-http-session.js";
import { mcpHeaders } from "../helpers/mcp-requests.js";
import { SseEventReader, eventMessage, type SseEvent } from "../helpers/sse-events.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";
import { deadlineSignal } from "../helpers/deadline.js";
import { sessionFingerprint } from "../../src/observability/session-fingerprint.js";

/**
 * The Streamable HTTP transport as a client on the wire sees it: when a POST is answered with plain
 * JSON and when with an SSE stream, priming events and event ids, resumption with Last-Event-ID,
 * cancellation, the end of a session during a call, and the validation of what clients send.
 * Everything goes over real HTTP (fetch) to the full app on 127.0.0.1, port 0.
 */

/** What the test tool saw: calls that started, finished, or whose signal aborted (cancel, session end). */
class CallProbe {
  private readonly events = new EventEmitter();
  private readonly seen = new Set<string>();

  record(what: "started" | "finished" | "aborted", label: string): void {
    this.seen.add(`${what}:${label}`);
    this.events.emit(`${what}:${label}`);
  }

  has(what: "started" | "finished" | "aborted", label: string): boolean {
    return this.seen.has(`${what}:${label}`);
  }

  /** Resolves once the call labelled `label` has reached `what`; fails after `ms`. */
  async reached(what: "started" | "finished" | "aborted", label: string, ms = 3_000): Promise<void> {
    if (this.has(what, label)) return;
    await once(this.events, `${what}:${label}`, { signal: AbortSignal.timeout(ms) }).catch(() => {
      throw new Error(`the call "${label}" was not ${what} within ${String(ms)} ms`);
    });
  }
}

/**
 * A developer's own tool: reports progress 1 of 2 (if asked), waits `ms` while honouring its abort
 * signal, reports 2 of 2 and answers. It lets a test choose how long a call runs, and see whether
 * the server aborted it.
 */
function waitTool(probe: CallProbe) {
  return defineTool({
    name: "wait_then_answer",
    description: "Test tool: waits the given milliseconds (abortable), reporting progress before and after.",
    annotations: { readOnlyHint: true },
    input: z.object({ label: z.string(), ms: z.number().int().min(0).max(20_000) }),
    output: z.object({ label: z.string(), waited_ms: z.number() }),
    async handler({ label, ms }, ctx) {
      probe.record("started", label);
      await ctx.reportProgress(1, 2);
      try {
        await delay(ms, undefined, { signal: ctx.signal });
      } catch (error) {
        probe.record("aborted", label);
        throw error;
      }
      await ctx.reportProgress(2, 2);
      probe.record("finished", label);
      return { label, waited_ms: ms };
    },
  });
}

let labels = 0;
/** A label no other call of this file uses. */
const nextLabel = (what: string) => `${what}-${String((labels += 1))}`;

/** A tools/call of the test tool. */
function waitCall(id: number | string, label: string, ms: number, progressToken?: string) {
  return toolCallRequest(id, "wait_then_answer", { label, ms }, progressToken);
}

const cancel = (requestId: number | string) => ({
  jsonrpc: "2.0",
  method: "notifications/cancelled",
  params: { requestId, reason: "the user changed their mind" },
});

const ping = (id: number | string) => ({ jsonrpc: "2.0", id, method: "ping" });

const isSse = (answer: HttpAnswer) => answer.contentType.startsWith("text/event-stream");
const isJson = (answer: HttpAnswer) => answer.contentType.startsWith("application/json");

/** The body must be exactly one JSON object (not an array, not a stream). */
function assertJsonObject(answer: HttpAnswer): any {
  assert.equal(answer.status, 200, answer.text);
  assert.ok(isJson(answer), `expected application/json, got "${answer.contentType}": ${answer.text}`);
  const body = JSON.parse(answer.text) as unknown;
  assert.ok(typeof body === "object" && body !== null && !Array.isArray(body), "one JSON object");
  return body;
}

/** An HTTP-level refusal: the status, and a JSON-RPC error body with a null id and the code. */
function assertHttpError(answer: HttpAnswer, status: number, code: number, message?: RegExp): void {
  assert.equal(answer.status, status, `status ${String(answer.status)}: ${answer.text}`);
  assert.ok(isJson(answer), `an error body is JSON, got "${answer.contentType}"`);
  const body = JSON.parse(answer.text);
  assert.equal(body.jsonrpc, "2.0", "a JSON-RPC body");
  assert.equal(body.id, null, "an HTTP-level error has a null id");
  assert.equal(body.error?.code, code, `error code in ${answer.text}`);
  if (message !== undefined) assert.match(String(body.error.message), message, "error message");
}

/**
 * A resumable stream: a priming event first (an id, the retry interval, empty data), then only
 * `event: message` events, each with its own id.
 */
function assertResumable(events: readonly SseEvent[], retryMs: number): void {
  const [priming, ...rest] = events;
  assert.ok(priming !== undefined, "the stream has a priming event");
  assert.ok(priming.id !== undefined && priming.id !== "", "the priming event has an id to resume from");
  assert.equal(priming.retry, retryMs, "the priming event carries SSE_RETRY_MS as retry");
  assert.equal(priming.data, "", "the priming event carries no message");
  for (const event of rest) {
    assert.equal(event.event, "message", `event type of ${event.data}`);
    assert.ok(event.id !== undefined && event.id !== "", `an id on the event ${event.data}`);
  }
  const ids = events.map((event) => event.id);
  assert.equal(new Set(ids).size, ids.length, `event ids are distinct: ${ids.join(", ")}`);
}

/** A stream that cannot be resumed: no priming event, no ids. */
function assertNotResumable(events: readonly SseEvent[]): void {
  for (const event of events) {
    assert.equal(event.id, undefined, `no id on ${JSON.stringify(event)}`);
    assert.notEqual(event.data, "", "no priming (empty) event");
  }
}

/** The response to request `id` among `messages`, or undefined. */
function responseTo(messages: readonly any[], id: number | string): any {
  return messages.find((message) => message.id === id && !("method" in message));
}

/** The text of a tool result's first content block. */
function resultText(response: any): string {
  return String(response?.result?.content?.[0]?.text);
}

/** The JSON-RPC messages of `events`, leaving out events without data (priming). */
function messagesOf(events: readonly (SseEvent | undefined)[]): any[] {
  return events.flatMap((event): unknown[] =>
    event === undefined || event.data === "" ? [] : [eventMessage(event)],
  );
}

/** The progress values of every notifications/progress among `messages`. */
function progressValues(messages: readonly any[]): number[] {
  return messages
    .filter((message) => message.method === "notifications/progress")
    .map((message) => Number(message.params.progress));
}

/** Resumes after `lastEventId`, retrying while the server has not yet seen the old connection go. */
async function resumeAfterDrop(session: McpHttpSession, lastEventId: string): Promise<Response> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const res = await session.resume(lastEventId);
    if (res.status !== 409) return res;
    await res.text();
    await delay(10);
  }
  throw new Error("the server still held the dropped connection after 50 attempts");
}

describe("a POST is answered with JSON or SSE (defaults: MCP_STREAM_AFTER_MS=1000, event history on)", () => {
  const probe = new CallProbe();
  let server: RunningServer;
  let session: McpHttpSession;
  before(async () => {
    server = await startServer(
      { MCP_CONFORMANCE_FIXTURES: "true", SSE_RETRY_MS: "250" },
      { extraTools: [waitTool(probe)] },
    );
    session = await McpHttpSession.open(server.mcpUrl);
  });
  after(async () => {
    await server.close();
  });

  it("a request answered at once gets one JSON object with the session id header", async () => {
    const answer = await readAnswer(await session.post(ping(7)));
    const body = assertJsonObject(answer);
    assert.deepEqual(body, { jsonrpc: "2.0", id: 7, result: {} });
    assert.equal(answer.headers.get("mcp-session-id"), session.id, "the answer names the session");
  });

  it("a call that takes 150 ms, less than MCP_STREAM_AFTER_MS, with nothing to say before, is still JSON", async () => {
    const label = nextLabel("quick");
    const answer = await readAnswer(await session.post(waitCall(1, label, 150)));
    const body = assertJsonObject(answer);
    assert.equal(body.id, 1);
    assert.deepEqual(body.result.structuredContent.data, { label, waited_ms: 150 });
    // The progress fixture runs ~100 ms; without a progress token it sends nothing, so no stream.
    const fixture = assertJsonObject(
      await readAnswer(await session.post(toolCallRequest(2, "test_tool_with_progress"))),
    );
    assert.equal(resultText(fixture), "Progress fixture finished at 100 of 100.");
  });

  it("a batch is answered with a JSON array of its responses in request order; notifications get none", async () => {
    const answer = await readAnswer(
      await session.post([
        toolCallRequest("b", "test_simple_text"),
        { jsonrpc: "2.0", method: "notifications/roots/list_changed" },
        ping("a"),
      ]),
    );
    assert.equal(answer.status, 200, answer.text);
    assert.ok(isJson(answer), `a batch answer is JSON, got "${answer.contentType}"`);
    const body = JSON.parse(answer.text);
    assert.ok(Array.isArray(body), `an array: ${answer.text}`);
    assert.deepEqual(
      body.map((message: { id: unknown }) => message.id),
      ["b", "a"],
    );
    assert.equal(resultText(body[0]), "This is a simple text response for testing.");
    const single = JSON.parse((await readAnswer(await session.post([ping(3)]))).text);
    assert.deepEqual(single, [{ jsonrpc: "2.0", id: 3, result: {} }], "a batch of one is still an array");
  });

  it("progress notifications turn the answer into a resumable SSE stream: priming event, then ids on every event", async () => {
    const answer = await readAnswer(
      await session.post(toolCallRequest(4, "test_tool_with_progress", {}, "p4")),
    );
    assert.equal(answer.status, 200);
    assert.ok(isSse(answer), `expected text/event-stream, got "${answer.contentType}"`);
    assert.equal(answer.headers.get("mcp-session-id"), session.id, "the stream names the session");
    assertResumable(answer.events, 250);
    assert.deepEqual(progressValues(answer.messages), [0, 50, 100], "every progress step, in order");
    for (const message of answer.messages.slice(0, 3)) {
      assert.equal(message.params.progressToken, "p4", "progress carries the request's token");
    }
    const last = answer.messages.at(-1);
    assert.equal(last.id, 4, "the stream ends with the response");
    assert.equal(resultText(last), "Progress fixture finished at 100 of 100.");
    assert.equal(answer.messages.length, 4, "three notifications and one response, nothing else");
  });

  it("log notifications (notifications/message) also stream, before the result", async () => {
    const answer = await readAnswer(await session.post(toolCallRequest(5, "test_tool_with_logging")));
    assert.ok(isSse(answer), `expected text/event-stream, got "${answer.contentType}"`);
    assertResumable(answer.events, 250);
    const logs = answer.messages.filter((message) => message.method === "notifications/message");
    assert.deepEqual(
      logs.map((message): unknown => message.params.data),
      ["Tool execution started", "Tool processing data", "Tool execution completed"],
    );
    assert.equal(
      resultText(answer.messages.at(-1)),
      "Logging fixture finished after sending 3 log notification(s).",
    );
  });

  it("a server→client request (sampling) streams; the client's response POST gets 202 and the call finishes", async () => {
    const sampler = await McpHttpSession.open(server.mcpUrl, { capabilities: { sampling: {} } });
    const res = await sampler.post(toolCallRequest(6, "test_sampling", { prompt: "Say pong" }));
    assert.equal(res.headers.get("content-type"), "text/event-stream", "the call's answer is a stream");
    const reader = new SseEventReader(res.body);
    const priming = await reader.next();
    assert.equal(priming?.data, "", "a priming event first");
    const requestEvent = await reader.next();
    assert.ok(requestEvent !== undefined, "the server asked the client something");
    const request = eventMessage(requestEvent);
    assert.equal(request.method, "sampling/createMessage");
    assert.ok(requestEvent.id !== undefined, "the server's request has an event id");
    const reply = await readAnswer(
      await sampler.post({
        jsonrpc: "2.0",
        id: request.id,
        result: {
          role: "assistant",
          content: { type: "text", text: "pong" },
          model: "test",
          stopReason: "endTurn",
        },
      }),
    );
    assert.equal(reply.status, 202, `a response-only POST is accepted: ${reply.text}`);
    assert.equal(reply.text, "", "202 has an empty body");
    const rest = await reader.rest();
    assert.equal(rest.length, 1, "only the result is left");
    const result = eventMessage(rest[0]!);
    assert.equal(result.id, 6);
    assert.equal(resultText(result), "LLM response: pong");
  });

  it("a handler that calls closeSSEStream (test_reconnection) ends the POST's stream after priming; GET with Last-Event-ID delivers the result", async () => {
    const answer = await readAnswer(await session.post(toolCallRequest(8, "test_reconnection")));
    assert.ok(isSse(answer), `expected text/event-stream, got "${answer.contentType}"`);
    assert.equal(answer.events.length, 1, `only the priming event: ${answer.text}`);
    assertResumable(answer.events, 250);
    assert.deepEqual(answer.messages, [], "no message before the stream was closed");
    const resumed = await readAnswer(await session.resume(answer.events[0]!.id!));
    assert.equal(resumed.status, 200, resumed.text);
    assert.ok(isSse(resumed), `the resumption is a stream, got "${resumed.contentType}"`);
    assert.equal(resumed.messages.length, 1, `the result alone: ${resumed.text}`);
    assert.equal(resumed.messages[0].id, 8);
    assert.equal(
      resultText(resumed.messages[0]),
      "Reconnection fixture finished after closing its stream; this result was delivered on resume.",
    );
    assert.ok(resumed.events[0]?.id !== undefined, "the replayed result has an event id");
  });
});

describe("MCP_STREAM_AFTER_MS=50: a call not answered in time becomes a stream", () => {
  const probe = new CallProbe();
  let server: RunningServer;
  let session: McpHttpSession;
  before(async () => {
    server = await startServer({ MCP_STREAM_AFTER_MS: "50" }, { extraTools: [waitTool(probe)] });
    session = await McpHttpSession.open(server.mcpUrl);
  });
  after(async () => {
    await server.close();
  });

  it("the SSE head and priming event arrive after ~50 ms; the result follows when the call ends", async () => {
    const started = Date.now();
    const res = await session.post(waitCall(1, nextLabel("slow"), 600));
    const headersAfter = Date.now() - started;
    assert.equal(res.headers.get("content-type"), "text/event-stream", "the answer is a stream");
    assert.ok(
      headersAfter < 450,
      `the stream opened long before the 600 ms call ended (${String(headersAfter)} ms)`,
    );
    const reader = new SseEventReader(res.body);
    const priming = await reader.next();
    assert.ok(priming !== undefined, "a priming event");
    const rest = await reader.rest();
    const events = [priming, ...rest];
    assertResumable(events, 1000);
    assert.equal(rest.length, 1, "then the result alone");
    assert.equal(eventMessage(rest[0]!).id, 1);
    assert.ok(Date.now() - started >= 600, "the stream ended only when the call had");
  });

  it("a call answered within 50 ms is JSON", async () => {
    const body = assertJsonObject(await readAnswer(await session.post(waitCall(2, nextLabel("fast"), 0))));
    assert.equal(body.id, 2);
    assert.equal(body.result.structuredContent.success, true);
  });
});

describe("MCP_STREAM_AFTER_MS=0: every POST with a request is a stream, as with the SDK's transport", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ MCP_STREAM_AFTER_MS: "0" });
  });
  after(async () => {
    await server.close();
  });

  it("initialize and ping are answered as SSE: a priming event, then the response", async () => {
    const init = await readAnswer(
      await fetch(server.mcpUrl, {
        method: "POST",
        headers: mcpHeaders,
        body: JSON.stringify(initializeRequest("2025-11-25")),
        signal: deadlineSignal("POST /mcp initialize", 5_000),
      }),
    );
    assert.ok(isSse(init), `initialize: expected text/event-stream, got "${init.contentType}"`);
    assertResumable(init.events, 1000);
    assert.equal(init.messages[0]?.result?.protocolVersion, "2025-11-25");
    const session = await McpHttpSession.open(server.mcpUrl);
    const answer = await readAnswer(await session.post(ping(9)));
    assert.ok(isSse(answer), `ping: expected text/event-stream, got "${answer.contentType}"`);
    assertResumable(answer.events, 1000);
    assert.deepEqual(answer.messages, [{ jsonrpc: "2.0", id: 9, result: {} }]);
  });
});

describe("which streams are resumable", () => {
  it("without an event store (SSE_EVENT_HISTORY=0): no priming event, no ids, and a handler cannot close its stream", async () => {
    const server = await startServer({ MCP_CONFORMANCE_FIXTURES: "true", SSE_EVENT_HISTORY: "0" });
    try {
      const session = await McpHttpSession.open(server.mcpUrl);
      const answer = await readAnswer(
        await session.post(toolCallRequest(1, "test_tool_with_progress", {}, "p")),
      );
      assert.ok(isSse(answer), `progress still streams, got "${answer.contentType}"`);
      assertNotResumable(answer.events);
      assert.deepEqual(progressValues(answer.messages), [0, 50, 100]);
      assert.equal(answer.messages.at(-1).id, 1);
      const reconnection = assertJsonObject(
        await readAnswer(await session.post(toolCallRequest(2, "test_reconnection"))),
      );
      assert.match(resultText(reconnection), /without closing its stream/, "closeSSEStream was not offered");
    } finally {
      await server.close();
    }
  });

  it("a client that negotiated 2025-06-18 gets no priming event and no closeSSEStream; its events keep ids (as with the SDK)", async () => {
    const server = await startServer({ MCP_CONFORMANCE_FIXTURES: "true" });
    try {
      const session = await McpHttpSession.open(server.mcpUrl, { protocolVersion: "2025-06-18" });
      const answer = await readAnswer(
        await session.post(toolCallRequest(1, "test_tool_with_progress", {}, "p")),
      );
      assert.ok(isSse(answer), `progress still streams, got "${answer.contentType}"`);
      assert.equal(
        answer.events.length,
        4,
        `three progress notifications and the result, no priming: ${answer.text}`,
      );
      assert.ok(
        answer.events.every((event) => event.data !== "" && event.id !== undefined),
        "no empty priming event; every message has an id (2025-06-18 clients resume from message ids)",
      );
      const reconnection = assertJsonObject(
        await readAnswer(await session.post(toolCallRequest(2, "test_reconnection"))),
      );
      assert.match(resultText(reconnection), /without closing its stream/, "closeSSEStream was not offered");
    } finally {
      await server.close();
    }
  });
});

describe("resuming a POST's stream with Last-Event-ID", () => {
  const probe = new CallProbe();
  let server: RunningServer;
  let session: McpHttpSession;
  before(async () => {
    server = await startServer({ MCP_CONFORMANCE_FIXTURES: "true" }, { extraTools: [waitTool(probe)] });
    session = await McpHttpSession.open(server.mcpUrl);
  });
  after(async () => {
    await server.close();
  });

  it("after the call finished, GET replays exactly the events after the given id, then ends", async () => {
    const answer = await readAnswer(
      await session.post(toolCallRequest(1, "test_tool_with_progress", {}, "p1")),
    );
    assertResumable(answer.events, 1000);
    assert.equal(answer.events.length, 5, `priming, three progress, result: ${answer.text}`);
    const [priming, first, second] = answer.events;

    const all = await readAnswer(await session.resume(priming!.id!));
    assert.equal(all.status, 200, all.text);
    assert.ok(isSse(all), `a replay is a stream, got "${all.contentType}"`);
    assert.deepEqual(all.messages, answer.messages, "everything after the priming event");
    assert.deepEqual(
      all.events.map((event) => event.id),
      answer.events.slice(1).map((event) => event.id),
      "with the ids the events had",
    );

    const tail = await readAnswer(await session.resume(second!.id!));
    assert.deepEqual(progressValues(tail.messages), [100], "only what came after progress 50");
    assert.equal(tail.messages.at(-1).id, 1, "and the result");
    assert.equal(first?.data.includes('"progress":0'), true, "(the skipped event was progress 0)");
  });

  it("a client that lost the connection mid-call gets the rest of the call on the resumed GET", async () => {
    const label = nextLabel("dropped");
    const connection = new AbortController();
    const res = await session.post(waitCall(2, label, 400, "p2"), { signal: connection.signal });
    const reader = new SseEventReader(res.body);
    const priming = await reader.next();
    const progress1 = await reader.next();
    assert.ok(priming !== undefined && progress1 !== undefined, "priming and the first progress arrived");
    assert.deepEqual(progressValues([eventMessage(progress1)]), [1]);
    connection.abort();

    const resumed = await resumeAfterDrop(session, progress1.id!);
    assert.equal(resumed.status, 200);
    assert.equal(probe.has("finished", label), false, "the call was still running when the client resumed");
    const rest = await readAnswer(resumed);
    assert.deepEqual(progressValues(rest.messages), [2], "no duplicate of progress 1, and progress 2");
    const response = responseTo(rest.messages, 2);
    assert.deepEqual(response?.result?.structuredContent?.data, { label, waited_ms: 400 }, rest.text);
    for (const event of rest.events) assert.ok(event.id !== undefined, "resumed events keep their ids");
  });

  it("a second connection for a stream that is still connected is refused with 409", async () => {
    const label = nextLabel("held");
    const res = await session.post(waitCall(3, label, 300, "p3"));
    const reader = new SseEventReader(res.body);
    const priming = await reader.next();
    assert.ok(priming?.id !== undefined, "a priming event id");
    const second = await readAnswer(await session.resume(priming.id));
    assertHttpError(second, 409, -32000, /Conflict/);
    const rest = await reader.rest();
    const response = responseTo(messagesOf(rest), 3);
    assert.equal(
      response?.result?.structuredContent?.success,
      true,
      "the original stream still delivers the result",
    );
  });

  it("an unknown Last-Event-ID is 400 with a JSON-RPC error", async () => {
    const answer = await readAnswer(await session.resume("no-such-event"));
    assertHttpError(answer, 400, -32000, /Last-Event-ID/);
  });

  it("an id pushed out of SSE_EVENT_HISTORY is 400; one still held resumes", async () => {
    const small = await startServer({ MCP_CONFORMANCE_FIXTURES: "true", SSE_EVENT_HISTORY: "3" });
    try {
      const client = await McpHttpSession.open(small.mcpUrl);
      const answer = await readAnswer(
        await client.post(toolCallRequest(1, "test_tool_with_progress", {}, "p")),
      );
      assert.equal(answer.events.length, 5, "five events, more than the history keeps");
      assertHttpError(await readAnswer(await client.resume(answer.events[0]!.id!)), 400, -32000, /expired/);
      const kept = await readAnswer(await client.resume(answer.events[3]!.id!));
      assert.equal(kept.status, 200, kept.text);
      assert.equal(kept.messages.length, 1, "the result, after the last progress");
      assert.equal(kept.messages[0].id, 1);
    } finally {
      await small.close();
    }
  });
});

describe("the standalone GET stream", () => {
  let server: RunningServer;
  let session: McpHttpSession;
  before(async () => {
    server = await startServer();
    session = await McpHttpSession.open(server.mcpUrl);
  });
  after(async () => {
    await server.close();
  });

  it("GET opens the session's stream; a second GET while it is open is 409; after it closes GET works again", async () => {
    const first = new AbortController();
    const open = await session.get({ signal: first.signal, timeoutMs: 10_000 });
    assert.equal(open.status, 200);
    assert.equal(open.headers.get("content-type"), "text/event-stream", "an SSE stream");
    assert.equal(open.headers.get("mcp-session-id"), session.id);
    const second = await readAnswer(await session.get());
    assertHttpError(second, 409, -32000, /Only one SSE stream/);
    first.abort();
    let again: Response | undefined;
    for (let attempt = 0; attempt < 50 && again === undefined; attempt += 1) {
      const controller = new AbortController();
      const res = await session.get({ signal: controller.signal });
      if (res.status === 409) await res.text();
      else {
        again = res;
        controller.abort();
      }
      await delay(10);
    }
    assert.equal(again?.status, 200, "a new stream once the first is gone");
  });

  it("GET without Accept: text/event-stream is 406", async () => {
    const answer = await readAnswer(await session.get({ headers: { Accept: "application/json" } }));
    assertHttpError(answer, 406, -32000, /text\/event-stream/);
  });
});

describe("notifications/cancelled for a running request", () => {
  const probe = new CallProbe();
  let server: RunningServer;
  let session: McpHttpSession;
  before(async () => {
    server = await startServer({}, { extraTools: [waitTool(probe)] });
    session = await McpHttpSession.open(server.mcpUrl);
  });
  after(async () => {
    await server.close();
  });

  it("the POST's only request: no response; the answer is an SSE stream that ends without events", async () => {
    const label = nextLabel("cancelled");
    const pending = session.post(waitCall(1, label, 10_000));
    await probe.reached("started", label);
    const cancelled = await readAnswer(await session.post(cancel(1)));
    assert.equal(cancelled.status, 202, cancelled.text);
    const answer = await readAnswer(await pending);
    assert.equal(answer.status, 200);
    assert.ok(isSse(answer), `expected text/event-stream, got "${answer.contentType}"`);
    assert.deepEqual(answer.events, [], `no event at all: ${JSON.stringify(answer.text)}`);
    await probe.reached("aborted", label);
  });

  it("one request of a batch: the others are answered as JSON, the cancelled one is left out", async () => {
    const label = nextLabel("batch-cancelled");
    const pending = session.post([waitCall("slow", label, 10_000), ping("quick")]);
    await probe.reached("started", label);
    assert.equal((await readAnswer(await session.post(cancel("slow")))).status, 202);
    const answer = await readAnswer(await pending);
    assert.ok(isJson(answer), `expected application/json, got "${answer.contentType}": ${answer.text}`);
    assert.deepEqual(JSON.parse(answer.text), [{ jsonrpc: "2.0", id: "quick", result: {} }]);
  });

  it("after the stream opened: the stream ends with no response", async () => {
    const label = nextLabel("stream-cancelled");
    const res = await session.post(waitCall(3, label, 10_000, "p3"));
    const reader = new SseEventReader(res.body);
    const events = [await reader.next(), await reader.next()];
    assert.equal(events[0]?.data, "", "a priming event first");
    assert.deepEqual(progressValues(messagesOf(events)), [1], "then progress 1");
    assert.equal((await readAnswer(await session.post(cancel(3)))).status, 202);
    const rest = await reader.rest();
    assert.deepEqual(rest, [], "the stream ended without a response or anything else");
    await probe.reached("aborted", label);
  });
});

describe("the session ends while a request is running", () => {
  const probe = new CallProbe();
  let server: RunningServer;
  before(async () => {
    server = await startServer({}, { extraTools: [waitTool(probe)] });
  });
  after(async () => {
    await server.close();
  });

  const assertConnectionClosed = (response: any, id: number) => {
    assert.equal(response?.id, id, `a response to request ${String(id)}`);
    assert.equal(response.error?.code, -32000, `error code: ${JSON.stringify(response)}`);
    assert.match(
      String(response.error.message),
      /^Connection closed/,
      "the message says the connection closed",
    );
  };

  it("DELETE before the answer streamed: the call gets a -32000 'Connection closed' error as JSON", async () => {
    const session = await McpHttpSession.open(server.mcpUrl);
    const label = nextLabel("deleted");
    const pending = session.post(waitCall(1, label, 10_000));
    await probe.reached("started", label);
    const deleted = await session.delete();
    assert.equal(deleted.status, 200, deleted.text);
    const answer = await readAnswer(await pending);
    assertConnectionClosed(assertJsonObject(answer), 1);
    await probe.reached("aborted", label);
    const after = await readAnswer(await session.post(ping(2)));
    assertHttpError(after, 404, -32001);
  });

  it("DELETE while the answer streams: the error is the last event of the stream, with an id", async () => {
    const session = await McpHttpSession.open(server.mcpUrl);
    const label = nextLabel("deleted-streaming");
    const res = await session.post(waitCall(3, label, 10_000, "p3"));
    const reader = new SseEventReader(res.body);
    const head = [await reader.next(), await reader.next()];
    assert.deepEqual(progressValues(messagesOf(head)), [1], "primed, then progress 1");
    assert.equal((await session.delete()).status, 200);
    const rest = await reader.rest();
    assert.equal(rest.length, 1, `one more event: ${JSON.stringify(rest)}`);
    assert.ok(rest[0]!.id !== undefined, "the error event has an id");
    assertConnectionClosed(eventMessage(rest[0]!), 3);
  });

  it("server shutdown: the running call is answered with 'Connection closed' before the server stops", async () => {
    const own = await startServer({}, { extraTools: [waitTool(probe)] });
    let closed = false;
    try {
      const session = await McpHttpSession.open(own.mcpUrl);
      const label = nextLabel("shutdown");
      const pending = session.post(waitCall(4, label, 10_000));
      await probe.reached("started", label);
      const closing = own.close();
      const answer = await readAnswer(await pending);
      assertConnectionClosed(assertJsonObject(answer), 4);
      await closing;
      closed = true;
      await probe.reached("aborted", label);
    } finally {
      if (!closed) await own.close();
    }
  });

  it("idle expiry: a call left running by a client that dropped its stream is aborted, and the session is gone", async () => {
    const own = await startServer({ SESSION_IDLE_TIMEOUT_MS: "1000" }, { extraTools: [waitTool(probe)] });
    try {
      const session = await McpHttpSession.open(own.mcpUrl);
      const label = nextLabel("expired");
      const connection = new AbortController();
      const res = await session.post(waitCall(5, label, 15_000, "p5"), { signal: connection.signal });
      const reader = new SseEventReader(res.body);
      const priming = await reader.next();
      assert.ok(priming?.id !== undefined, "a priming event id");
      connection.abort();
      // The sweep runs every 250 ms and the session idles for 1000 ms once the stream is gone.
      await probe.reached("aborted", label, 4_000);
      const expired = own.logs.lines.some(
        (line) =>
          line.msg === "session expired after idle timeout" &&
          line.mcp_session_id === sessionFingerprint(session.id),
      );
      assert.ok(expired, "the expiry was logged for this session");
      assertHttpError(await readAnswer(await session.resume(priming.id)), 404, -32001);
    } finally {
      await own.close();
    }
  });
});

describe("MCP_JSON_RESPONSE=true: never a stream", () => {
  const probe = new CallProbe();
  let server: RunningServer;
  let session: McpHttpSession;
  before(async () => {
    server = await startServer(
      { MCP_CONFORMANCE_FIXTURES: "true", MCP_JSON_RESPONSE: "true", MCP_STREAM_AFTER_MS: "50" },
      { extraTools: [waitTool(probe)] },
    );
    session = await McpHttpSession.open(server.mcpUrl);
  });
  after(async () => {
    await server.close();
  });

  it("progress and log notifications are dropped; the answer is the JSON result alone", async () => {
    const progress = assertJsonObject(
      await readAnswer(await session.post(toolCallRequest(1, "test_tool_with_progress", {}, "p"))),
    );
    assert.equal(progress.id, 1);
    assert.equal(resultText(progress), "Progress fixture finished at 100 of 100.");
    const logging = assertJsonObject(
      await readAnswer(await session.post(toolCallRequest(2, "test_tool_with_logging"))),
    );
    assert.equal(resultText(logging), "Logging fixture finished after sending 3 log notification(s).");
  });

  it("a call slower than MCP_STREAM_AFTER_MS is still JSON", async () => {
    const label = nextLabel("json-slow");
    const body = assertJsonObject(await readAnswer(await session.post(waitCall(3, label, 200, "p3"))));
    assert.deepEqual(body.result.structuredContent.data, { label, waited_ms: 200 });
  });

  it("a handler that calls closeSSEStream (test_reconnection) still gets a JSON answer", async () => {
    const answer = await readAnswer(await session.post(toolCallRequest(4, "test_reconnection")));
    const body = assertJsonObject(answer);
    assert.equal(body.id, 4);
    assert.match(resultText(body), /^Reconnection fixture finished/);
  });

  it("a cancelled call that was the POST's only request is not answered with a stream", async () => {
    const label = nextLabel("json-cancelled");
    const pending = session.post(waitCall(5, label, 10_000));
    await probe.reached("started", label);
    assert.equal((await readAnswer(await session.post(cancel(5)))).status, 202);
    const answer = await readAnswer(await pending);
    assert.ok(answer.status >= 200 && answer.status < 300, `status ${String(answer.status)}`);
    assert.equal(isSse(answer), false, `never SSE, got "${answer.contentType}"`);
  });
});

describe("what a POST must be", () => {
  let server: RunningServer;
  let session: McpHttpSession;
  before(async () => {
    server = await startServer({ MCP_STREAM_AFTER_MS: "100" });
    session = await McpHttpSession.open(server.mcpUrl);
  });
  after(async () => {
    await server.close();
  });

  const notJsonRpc: [string, unknown][] = [
    ["jsonrpc 1.0", { jsonrpc: "1.0", id: 1, method: "ping" }],
    ["no jsonrpc", { id: 1, method: "ping" }],
    ["params as an array", { jsonrpc: "2.0", id: 1, method: "ping", params: [] }],
    ["params as a string", { jsonrpc: "2.0", id: 1, method: "ping", params: "x" }],
    ["params null", { jsonrpc: "2.0", id: 1, method: "ping", params: null }],
    ["an extra key on a request", { jsonrpc: "2.0", id: 1, method: "ping", extra: true }],
    ["an extra key on a notification", { jsonrpc: "2.0", method: "notifications/initialized", extra: true }],
    ["a fractional id", { jsonrpc: "2.0", id: 1.5, method: "ping" }],
    ["a null id", { jsonrpc: "2.0", id: null, method: "ping" }],
    ["a boolean id", { jsonrpc: "2.0", id: true, method: "ping" }],
    ["a numeric method", { jsonrpc: "2.0", id: 1, method: 7 }],
    ["a result that is an array", { jsonrpc: "2.0", id: 1, result: [] }],
    ["a result without an id", { jsonrpc: "2.0", result: {} }],
    ["a response with neither result nor error", { jsonrpc: "2.0", id: 1 }],
    ["an error without a message", { jsonrpc: "2.0", id: 1, error: { code: -1 } }],
  ];
  for (const [what, body] of notJsonRpc) {
    it(`${what} is 400 with -32600`, async () => {
      const answer = await readAnswer(await session.post(body));
      assertHttpError(answer, 400, -32600, /not a JSON-RPC 2\.0 message/);
    });
  }

  for (const [what, body] of [
    ["a JSON string", "hello"],
    ["a JSON number", 42],
    ["JSON null", null],
  ] as const) {
    it(`${what}, valid JSON but not a JSON-RPC message, is 400 with -32600`, async () => {
      assertHttpError(await readAnswer(await session.post(body)), 400, -32600);
    });
  }

  it("a request whose params._meta is not an object is 400 with -32600 (the SDK's schema rejects it)", async () => {
    const answer = await readAnswer(
      await session.post(
        { jsonrpc: "2.0", id: 1, method: "ping", params: { _meta: 5 } },
        { timeoutMs: 1_500 },
      ),
    );
    assertHttpError(answer, 400, -32600);
  });

  it("a message with both result and error is 400 with -32600 (the SDK's strict schemas reject it)", async () => {
    const answer = await readAnswer(
      await session.post({ jsonrpc: "2.0", id: 1, result: {}, error: { code: -1, message: "m" } }),
    );
    assertHttpError(answer, 400, -32600);
  });

  it("an empty batch is 400 with -32600", async () => {
    assertHttpError(await readAnswer(await session.post([])), 400, -32600, /empty batch/);
  });

  it("a batch of 101 messages is 400; a batch of 100 is answered in full", async () => {
    const batch = (size: number) => Array.from({ length: size }, (_, index) => ping(index));
    assertHttpError(await readAnswer(await session.post(batch(101))), 400, -32600, /more than 100/);
    const answer = await readAnswer(await session.post(batch(100)));
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(
      answer.messages.map((message): unknown => message.id),
      batch(100).map((message) => message.id),
      "100 responses in request order",
    );
  });

  it("one bad message in a batch makes the whole POST 400", async () => {
    const answer = await readAnswer(
      await session.post([ping(1), { jsonrpc: "2.0", id: 2, method: "ping", params: [] }]),
    );
    assertHttpError(answer, 400, -32600);
  });

  for (const accept of ["application/json", "text/event-stream", "*/*"]) {
    it(`Accept: ${accept} (not both application/json and text/event-stream) is 406`, async () => {
      const answer = await readAnswer(await session.post(ping(1), { headers: { Accept: accept } }));
      assertHttpError(answer, 406, -32000, /Not Acceptable/);
    });
  }

  it("an unsupported MCP-Protocol-Version is 400 on POST, GET and DELETE, and the session lives on", async () => {
    const headers = { "MCP-Protocol-Version": "1999-01-01" };
    assertHttpError(
      await readAnswer(await session.post(ping(1), { headers })),
      400,
      -32000,
      /protocol version/i,
    );
    assertHttpError(await readAnswer(await session.get({ headers })), 400, -32000, /protocol version/i);
    const { "Content-Type": _type, ...sessionHeaders } = session.headers;
    const refusedDelete = await readAnswer(
      await fetch(server.mcpUrl, {
        method: "DELETE",
        headers: { ...sessionHeaders, ...headers },
        signal: deadlineSignal("DELETE /mcp with a bad protocol version", 5_000),
      }),
    );
    assertHttpError(refusedDelete, 400, -32000, /protocol version/i);
    assert.deepEqual(assertJsonObject(await readAnswer(await session.post(ping(2)))).result, {});
  });

  it("a second initialize on a session is 400 with -32600", async () => {
    const answer = await readAnswer(await session.post(initializeRequest("2025-11-25")));
    assertHttpError(answer, 400, -32600, /already initialized/);
  });

  it("initialize batched with another request is 400 with -32600", async () => {
    const answer = await readAnswer(
      await fetch(server.mcpUrl, {
        method: "POST",
        headers: mcpHeaders,
        body: JSON.stringify([initializeRequest("2025-11-25"), ping(1)]),
        signal: deadlineSignal("POST /mcp batched initialize", 5_000),
      }),
    );
    assertHttpError(answer, 400, -32600, /Only one initialization request/);
  });

  it("a POST of notifications or responses only is 202 with an empty body", async () => {
    const bodies: unknown[] = [
      { jsonrpc: "2.0", method: "notifications/roots/list_changed" },
      [
        { jsonrpc: "2.0", method: "notifications/roots/list_changed" },
        { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 99 } },
      ],
      { jsonrpc: "2.0", id: "server-request-1", result: {} },
      { jsonrpc: "2.0", id: "server-request-2", error: { code: -1, message: "declined" } },
    ];
    for (const body of bodies) {
      const answer = await readAnswer(await session.post(body));
      assert.equal(answer.status, 202, `${JSON.stringify(body)}: ${answer.text}`);
      assert.equal(answer.text, "", "no body");
    }
  });
});

describe("stateless mode (no session, no event store)", () => {
  it("a quick request is JSON; a call with progress streams without priming or ids", async () => {
    const server = await startServer({ MCP_SESSION_MODE: "stateless", MCP_CONFORMANCE_FIXTURES: "true" });
    try {
      const post = async (body: unknown) =>
        readAnswer(
          await fetch(server.mcpUrl, {
            method: "POST",
            headers: { ...mcpHeaders, "MCP-Protocol-Version": "2025-11-25" },
            body: JSON.stringify(body),
            signal: deadlineSignal("POST /mcp without a session", 5_000),
          }),
        );
      const quick = assertJsonObject(await post(ping(1)));
      assert.deepEqual(quick, { jsonrpc: "2.0", id: 1, result: {} });
      const progress = await post(toolCallRequest(2, "test_tool_with_progress", {}, "p"));
      assert.ok(isSse(progress), `expected text/event-stream, got "${progress.contentType}"`);
      assertNotResumable(progress.events);
      assert.deepEqual(progressValues(progress.messages), [0, 50, 100]);
      assert.equal(progress.messages.at(-1).id, 2);
    } finally {
      await server.close();
    }
  });
});
