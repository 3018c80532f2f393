import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { deadlineSignal, withDeadline } from "../helpers/deadline.js";
import { counterValue } from "../helpers/network-envelope.js";
import { McpHttpSession, readAnswer, toolCallRequest } from "../helpers/mcp-http-session.js";
import { SseEventReader, eventMessage } from "../helpers/sse-events.js";
import { callTool, envelope, MODERN, modernRequest } from "../helpers/modern-requests.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";

/**
 * The 2026-07-28 era on the same /mcp as 2025 sessions: every request stands alone, carrying its
 * version and capabilities in `_meta`; the HTTP status and JSON-RPC code of every refusal are the
 * spec's; results say what they are and how long they may be cached.
 */

const SERVER_INFO = "io.modelcontextprotocol/serverInfo";

describe("2026-07-28 requests", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ DEPLOY_QUEUED_MS: "0", DEPLOY_RUN_MS: "3000" });
  });
  after(async () => {
    await server.close();
  });

  it("server/discover names both eras, the capabilities and the server, with cache hints", async () => {
    const answer = await modernRequest(server.mcpUrl, "server/discover", { _meta: envelope() });
    assert.equal(answer.status, 200);
    const result = answer.messages[0].result;
    assert.deepEqual(result.supportedVersions.slice(0, 2), [MODERN, "2025-11-25"]);
    assert.ok(result.capabilities.tools, "tools are advertised");
    assert.equal(result.resultType, "complete");
    assert.equal(result._meta[SERVER_INFO].name, "resilient-mcp");
    assert.equal(result.cacheScope, "public");
    assert.ok(Number.isInteger(result.ttlMs) && result.ttlMs >= 0);
  });

  it("tools/list and tools/call answer with resultType, the envelope and the server's identity; no session is opened", async () => {
    const list = await modernRequest(server.mcpUrl, "tools/list", { _meta: envelope() });
    assert.ok(list.messages[0].result.tools.some((tool: { name: string }) => tool.name === "get_user"));
    assert.equal(list.messages[0].result.resultType, "complete");
    const call = await callTool(server.mcpUrl, "get_user", { user_id: "1" });
    assert.equal(call.status, 200);
    assert.equal(call.headers.get("mcp-session-id"), null);
    const result = call.messages[0].result;
    assert.equal(result.resultType, "complete");
    assert.equal(result.structuredContent.success, true);
    assert.equal(result._meta[SERVER_INFO].name, "resilient-mcp");
    assert.equal(server.services.endpoint.sessionCount, 0);
  });

  it("an unknown tool is an in-band -32602 naming the nearest tools, and is counted once", async () => {
    const answer = await callTool(server.mcpUrl, "get_usr", {});
    assert.equal(answer.status, 200);
    assert.equal(answer.messages[0].error.code, -32602);
    assert.deepEqual(answer.messages[0].error.data.similar_tools[0], "get_user");
    // Counted once: one operation, labelled after the catalog, the JSON-RPC code and the era.
    assert.equal(
      await counterValue(server.url, "mcp_server_operation_duration_seconds_count", {
        mcp_method_name: "tools/call",
        gen_ai_tool_name: "unknown",
        error_type: "validation_error",
        rpc_response_status_code: "-32602",
        mcp_protocol_version: "2026-07-28",
        network_transport: "tcp",
      }),
      1,
    );
    assert.equal(
      await counterValue(server.url, "mcp_tool_calls_total", {
        gen_ai_tool_name: "unknown",
        outcome: "error",
      }),
      1,
    );
  });

  const refusals: {
    what: string;
    send: (url: URL) => ReturnType<typeof modernRequest>;
    status: number;
    code: number;
  }[] = [
    {
      what: "a request without _meta under a 2026 header",
      send: (url) => modernRequest(url, "tools/list", {}, { id: 41 }),
      status: 400,
      code: -32602,
    },
    {
      what: "an envelope without clientCapabilities",
      send: (url) =>
        modernRequest(
          url,
          "tools/list",
          { _meta: { "io.modelcontextprotocol/protocolVersion": MODERN } },
          { id: 42 },
        ),
      status: 400,
      code: -32602,
    },
    {
      what: "an MCP-Protocol-Version header that disagrees with _meta",
      send: (url) =>
        modernRequest(
          url,
          "tools/list",
          { _meta: envelope() },
          { id: 43, headers: { "MCP-Protocol-Version": "2025-11-25" } },
        ),
      status: 400,
      code: -32020,
    },
    {
      what: "an Mcp-Method header that disagrees with the body",
      send: (url) =>
        modernRequest(
          url,
          "tools/list",
          { _meta: envelope() },
          { id: 44, headers: { "Mcp-Method": "prompts/list" } },
        ),
      status: 400,
      code: -32020,
    },
    {
      what: "a tools/call without Mcp-Name",
      send: (url) =>
        modernRequest(
          url,
          "tools/call",
          { name: "get_user", arguments: {}, _meta: envelope() },
          { id: 45, headers: { "Mcp-Name": undefined } },
        ),
      status: 400,
      code: -32020,
    },
    {
      what: "a version this server does not speak",
      send: (url) =>
        modernRequest(
          url,
          "tools/list",
          { _meta: envelope({}, { "io.modelcontextprotocol/protocolVersion": "2099-01-01" }) },
          {
            id: 46,
            headers: { "MCP-Protocol-Version": "2099-01-01" },
          },
        ),
      status: 400,
      code: -32022,
    },
    {
      what: "ping, removed in 2026",
      send: (url) => modernRequest(url, "ping", { _meta: envelope() }, { id: 47 }),
      status: 404,
      code: -32601,
    },
    {
      what: "logging/setLevel, removed in 2026",
      send: (url) => modernRequest(url, "logging/setLevel", { level: "info", _meta: envelope() }, { id: 48 }),
      status: 404,
      code: -32601,
    },
    {
      what: "resources/list on a server without resources",
      send: (url) => modernRequest(url, "resources/list", { _meta: envelope() }, { id: 49 }),
      status: 404,
      code: -32601,
    },
  ];
  for (const refusal of refusals) {
    it(`${refusal.what} is ${String(refusal.status)} with ${String(refusal.code)} and the request's id`, async () => {
      const answer = await refusal.send(server.mcpUrl);
      assert.equal(answer.status, refusal.status, answer.text);
      assert.equal(answer.messages[0].error.code, refusal.code, answer.text);
      assert.notEqual(answer.messages[0].id, null, "the error carries the request's id");
    });
  }

  it("an unsupported version's error lists what this server speaks and echoes what was asked", async () => {
    const answer = await modernRequest(
      server.mcpUrl,
      "tools/list",
      { _meta: envelope({}, { "io.modelcontextprotocol/protocolVersion": "2099-01-01" }) },
      { headers: { "MCP-Protocol-Version": "2099-01-01" } },
    );
    assert.deepEqual(answer.messages[0].error.data.requested, "2099-01-01");
    assert.ok(answer.messages[0].error.data.supported.includes(MODERN));
  });

  it("GET and DELETE with a 2026 header are 405, a modern error body, Allow: POST", async () => {
    for (const method of ["GET", "DELETE"]) {
      const answer = await readAnswer(
        await fetch(server.mcpUrl, {
          method,
          headers: { "MCP-Protocol-Version": MODERN, Accept: "text/event-stream" },
          signal: deadlineSignal(`${method} answer`),
        }),
      );
      assert.equal(answer.status, 405);
      assert.equal(answer.headers.get("allow"), "POST");
      assert.equal(answer.messages[0].error.code, -32600);
    }
  });

  it("a batch holding a 2026 request is 400", async () => {
    const answer = await readAnswer(
      await fetch(server.mcpUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
        body: JSON.stringify([
          { jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: envelope() } },
        ]),
        signal: deadlineSignal("batch answer"),
      }),
    );
    assert.equal(answer.status, 400);
    assert.equal(answer.messages[0].error.code, -32600);
  });

  it("a wait with a progress token streams progress, then the result", async () => {
    const deploy = await callTool(server.mcpUrl, "deploy_application", {
      app_name: "billing-service",
      environment: "staging",
    });
    const deploymentId = deploy.messages[0].result.structuredContent.data.deployment_id as string;
    const answer = await withDeadline(
      "the streamed wait",
      callTool(
        server.mcpUrl,
        "wait_for_deployment",
        { deployment_id: deploymentId },
        {
          params: { _meta: { ...envelope(), progressToken: "w-1" } },
          signal: deadlineSignal("the streamed wait", 9_000),
        },
      ),
      10_000,
    );
    assert.equal(answer.contentType, "text/event-stream");
    const progress = answer.messages.filter((message) => message.method === "notifications/progress");
    assert.ok(progress.length >= 2, answer.text);
    assert.equal(answer.messages.at(-1).result.structuredContent.data.status, "succeeded");
  });

  it("closing the response stream cancels the call (there is no resuming in 2026)", async () => {
    const deploy = await callTool(server.mcpUrl, "deploy_application", {
      app_name: "web-frontend",
      environment: "development",
    });
    const deploymentId = deploy.messages[0].result.structuredContent.data.deployment_id as string;
    const abort = new AbortController();
    const waiting = callTool(
      server.mcpUrl,
      "wait_for_deployment",
      { deployment_id: deploymentId },
      {
        params: { _meta: { ...envelope(), progressToken: "w-2" } },
        signal: abort.signal,
      },
    ).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    abort.abort();
    await waiting;
    const logged = await withDeadline(
      "the cancelled call's log line",
      (async () => {
        for (;;) {
          const lines = server.logs.find({ tool: "wait_for_deployment", error_type: "cancelled" });
          if (lines.length > 0) return lines;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })(),
    );
    assert.equal(logged.length, 1);
  });

  it("a 2025 session and 2026 requests share the endpoint", async () => {
    const session = await McpHttpSession.open(server.mcpUrl);
    const legacy = await readAnswer(await session.post(toolCallRequest(5, "get_user", { user_id: "2" })));
    assert.equal(legacy.messages[0].result.structuredContent.data.name, "Bob");
    assert.equal(legacy.messages[0].result.resultType, undefined, "2025 results are untouched");
    const modern = await callTool(server.mcpUrl, "get_user", { user_id: "2" });
    assert.equal(modern.messages[0].result.structuredContent.data.name, "Bob");
    assert.equal(server.services.endpoint.sessionCount, 1);
  });
});

describe("subscriptions/listen", () => {
  it("opens with the acknowledgement tagged with the listen request's id, is not an in-flight request, and ends with a result at shutdown", async () => {
    const server = await startServer();
    let closed = false;
    try {
      const res = await fetch(server.mcpUrl, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json, text/event-stream",
          "MCP-Protocol-Version": MODERN,
          "Mcp-Method": "subscriptions/listen",
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: "listen-1",
          method: "subscriptions/listen",
          params: { _meta: envelope(), notifications: { toolsListChanged: true } },
        }),
        signal: deadlineSignal("the listen stream", 8_000),
      });
      assert.equal(res.headers.get("content-type"), "text/event-stream");
      const reader = new SseEventReader(res.body);
      const ack = eventMessage(
        (await withDeadline("the acknowledgement", reader.next())) ?? assert.fail("no event"),
      );
      assert.equal(ack.method, "notifications/subscriptions/acknowledged");
      assert.equal(ack.params._meta["io.modelcontextprotocol/subscriptionId"], "listen-1");
      assert.deepEqual(
        ack.params.notifications,
        {},
        "nothing here changes, so no change notification is promised",
      );
      assert.equal(server.services.lifecycle.inFlight, 0);

      await server.close();
      closed = true;
      const rest = await withDeadline("the end of the listen stream", reader.rest());
      const result = eventMessage(rest.at(-1) ?? assert.fail("no closing event"));
      assert.equal(result.id, "listen-1");
      assert.equal(result.result._meta["io.modelcontextprotocol/subscriptionId"], "listen-1");
    } finally {
      if (!closed) await server.close();
    }
  });
});

describe("HTTP-level refusals of a 2026 request, before the endpoint", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ MAX_BODY_BYTES: "1024" });
  });
  after(async () => {
    await server.close();
  });

  const post = (headers: Record<string, string>, body: string) =>
    fetch(server.mcpUrl, {
      method: "POST",
      headers: { Accept: "application/json, text/event-stream", "MCP-Protocol-Version": MODERN, ...headers },
      body,
      signal: deadlineSignal("the refusal"),
    }).then(readAnswer);

  it("a body over MAX_BODY_BYTES, a non-JSON body and a foreign Host get -32600, not the legacy -32000", async () => {
    const big = await post(
      { "Content-Type": "application/json" },
      JSON.stringify({ padding: "x".repeat(2048) }),
    );
    assert.equal(big.status, 413);
    assert.equal(big.messages[0].error.code, -32600);
    const text = await post({ "Content-Type": "text/plain" }, "hello");
    assert.equal(text.status, 415);
    assert.equal(text.messages[0].error.code, -32600);
    // fetch will not send a Host of its choosing; node:http will, as a DNS-rebinding page would.
    const foreign = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        server.mcpUrl,
        {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            "MCP-Protocol-Version": MODERN,
            Host: "evil.example.com",
          },
          signal: deadlineSignal("the foreign-Host refusal"),
        },
        (res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => (body += chunk.toString()));
          res.on("end", () => {
            resolve({ status: res.statusCode ?? 0, body });
          });
        },
      );
      req.on("error", reject);
      req.end("{}");
    });
    assert.equal(foreign.status, 403);
    assert.equal((JSON.parse(foreign.body) as { error: { code: number } }).error.code, -32600);
  });
});
