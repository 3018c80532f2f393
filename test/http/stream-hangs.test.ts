import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { BoundedEventStore } from "../../src/mcp/event-store.js";
import { readPostBody } from "../../src/mcp/transport/json-rpc-message.js";
import { StreamableHttpTransport } from "../../src/mcp/transport/streamable-http-transport.js";
import { withDeadline } from "../helpers/deadline.js";
import { McpHttpSession, readAnswer, toolCallRequest } from "../helpers/mcp-http-session.js";
import { SseEventReader, eventMessage } from "../helpers/sse-events.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";

/**
 * The two ways a client could wait forever on a 2025 session's streams: a resume whose replay
 * cannot be served, and a request id reused while the first request with it still runs. Both were
 * answered with an open stream or a stolen response; both must end in a status code and a
 * JSON-RPC error the client can act on.
 */

/** An event store whose replays can be made to fail, or to find their id pushed out first. */
class TroubledEventStore extends BoundedEventStore {
  failReplays = false;
  /** Held until released: the next replay waits here, as it would behind slow writes. */
  replayGate: Promise<void> | undefined;

  override async replayEventsAfter(
    lastEventId: string,
    handlers: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string> {
    if (this.replayGate !== undefined) await this.replayGate;
    if (this.failReplays) throw new Error("event store unreachable");
    return super.replayEventsAfter(lastEventId, handlers);
  }
}

/** One session's transport behind a plain HTTP server, with a tool that drops its stream mid-call. */
async function startTransport(store: TroubledEventStore) {
  let release: () => void = () => undefined;
  const answerReleased = new Promise<void>((resolve) => {
    release = resolve;
  });
  const mcp = new McpServer({ name: "hangs", version: "0.0.0" });
  mcp.registerTool(
    "drop_stream_then_answer",
    { description: "closes its SSE stream, answers when released" },
    async (extra) => {
      extra.closeSSEStream?.();
      await answerReleased;
      return { content: [{ type: "text", text: "answered after the resume" }] };
    },
  );
  const transport = new StreamableHttpTransport({
    sessionIdGenerator: () => "session-1",
    eventStore: store,
    retryIntervalMs: 100,
    jsonOnly: false,
    streamAfterMs: 0,
  });
  await mcp.connect(transport);
  const http: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === "GET") {
      transport.handleGet(req, res);
      return;
    }
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => {
      const body = readPostBody(JSON.parse(text));
      if (!body.ok) throw new Error(body.reason);
      transport.handlePost(req, res, body.messages, body.batch);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`);
  return {
    url,
    release,
    async close() {
      release();
      await mcp.close();
      await new Promise<void>((resolve) => {
        http.close(() => {
          resolve();
        });
        http.closeAllConnections();
      });
    },
  };
}

/** Starts the call and returns the id of its stream's priming event (the stream is closed after it). */
async function callUntilStreamDrops(session: McpHttpSession): Promise<string> {
  const res = await session.post(toolCallRequest(2, "drop_stream_then_answer"));
  const answer = await readAnswer(res);
  assert.equal(answer.status, 200);
  const primingId = answer.events[0]?.id;
  assert.ok(primingId !== undefined, `the stream was primed with an event id: ${answer.text}`);
  assert.equal(answer.messages.length, 0, "no result yet: the tool is still running");
  return primingId;
}

describe("resuming a stream whose replay cannot be served", () => {
  let server: Awaited<ReturnType<typeof startTransport>>;
  let store: TroubledEventStore;
  before(async () => {
    store = new TroubledEventStore({ maxEvents: 100, maxBytes: 1024 * 1024 });
    server = await startTransport(store);
  });
  after(async () => {
    await server.close();
  });

  it("a replay that fails is 503 with a JSON-RPC body, and a retry then gets the result on the live stream", async () => {
    const session = await McpHttpSession.open(server.url);
    const primingId = await callUntilStreamDrops(session);

    store.failReplays = true;
    const refused = await readAnswer(await session.get({ headers: { "Last-Event-ID": primingId } }));
    assert.equal(refused.status, 503, `not an open stream that never delivers: ${refused.text}`);
    assert.equal(refused.messages[0]?.error?.code, -32000);

    store.failReplays = false;
    const resumed = await session.get({ headers: { "Last-Event-ID": primingId } });
    assert.equal(resumed.status, 200);
    const reader = new SseEventReader(resumed.body);
    server.release();
    const event = await withDeadline("the result on the resumed stream", reader.next());
    assert.ok(event !== undefined, "the resumed stream carried the result");
    assert.equal(eventMessage(event)?.result?.content?.[0]?.text, "answered after the resume");
  });
});

describe("resuming from an id pushed out of the history while the replay waited", () => {
  let server: Awaited<ReturnType<typeof startTransport>>;
  let store: TroubledEventStore;
  before(async () => {
    store = new TroubledEventStore({ maxEvents: 100, maxBytes: 1024 * 1024 });
    server = await startTransport(store);
  });
  after(async () => {
    await server.close();
  });

  it("is 400 with a JSON-RPC body, not a 200 stream left open", async () => {
    const session = await McpHttpSession.open(server.url);
    const primingId = await callUntilStreamDrops(session);
    let open: () => void = () => undefined;
    store.replayGate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const pending = session.get({ headers: { "Last-Event-ID": primingId } });
    // The id was found; while the replay waits, newer events push it out of the bounded history.
    await new Promise((resolve) => setTimeout(resolve, 50));
    store.evict(primingId);
    store.replayGate = undefined;
    open();
    const refused = await readAnswer(await pending);
    assert.equal(refused.status, 400, refused.text);
    assert.match(refused.messages[0]?.error?.message ?? "", /Last-Event-ID/);
  });
});

describe("a request id reused while the first request with it is running", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ DEPLOY_QUEUED_MS: "0", DEPLOY_RUN_MS: "1500" });
  });
  after(async () => {
    await server.close();
  });

  it("is refused with 409 and a JSON-RPC error; the first request still gets its answer and the session is idle after", async () => {
    const session = await McpHttpSession.open(server.mcpUrl);
    const deploy = await readAnswer(
      await session.post(
        toolCallRequest(1, "deploy_application", { app_name: "web-frontend", environment: "staging" }),
      ),
    );
    const deploymentId = deploy.messages[0]?.result?.structuredContent?.data?.deployment_id as string;
    assert.ok(deploymentId, deploy.text);

    // A: a long wait, with a progress token so its answer streams at once.
    const first = await session.post(
      toolCallRequest(7, "wait_for_deployment", { deployment_id: deploymentId }, "wait-1"),
    );
    assert.equal(first.headers.get("content-type"), "text/event-stream");
    const firstReader = new SseEventReader(first.body);

    // B: the same id on the same session while A runs.
    const second = await readAnswer(await session.post(toolCallRequest(7, "get_user", { user_id: "1" })));
    assert.equal(second.status, 409, second.text);
    assert.equal(second.messages[0]?.error?.code, -32600);
    assert.match(second.messages[0]?.error?.message ?? "", /already in flight/);

    const events = await withDeadline("the first request's whole stream", firstReader.rest(8_000), 9_000);
    const result = events.map(eventMessage).find((message) => message?.id === 7);
    assert.equal(result?.result?.structuredContent?.data?.status, "succeeded", JSON.stringify(result));
    const open = server.services.endpoint.sessions?.get(session.id);
    assert.equal(open?.inFlight, 0, "the session's in-flight count dropped back");
  });
});
