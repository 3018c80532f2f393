import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { request, type Response } from "../helpers/bounded-request.js";
import type { Express } from "express";
import { buildApp } from "../helpers/test-server.js";
import { initializeBody, mcpHeaders, answerMessages } from "../helpers/mcp-requests.js";

/** Every HTTP error body is JSON-RPC JSON with a numeric code, never HTML or a stack. */
function assertJsonRpcError(res: Response, status: number, code?: number): void {
  assert.equal(res.status, status, `status ${res.status}: ${res.text}`);
  assert.match(String(res.headers["content-type"]), /application\/json/);
  assert.equal(res.body.jsonrpc, "2.0");
  assert.equal(res.body.id, null);
  assert.equal(typeof res.body.error.code, "number");
  assert.equal(typeof res.body.error.message, "string");
  if (code !== undefined) assert.equal(res.body.error.code, code);
  // Every HTTP-level failure says what to do next.
  assert.match(String(res.body.error.data?.suggestion), /\w{3,}/, `a suggestion: ${res.text}`);
  assert.doesNotMatch(res.text, /<html|<pre>|\s+at\s+\S+\s+\(|node_modules|\/work\//i);
}

async function openSession(app: Express): Promise<string> {
  const res = await request(app).post("/mcp").set(mcpHeaders).send(initializeBody());
  assert.equal(res.status, 200, res.text);
  const sessionId = res.headers["mcp-session-id"];
  assert.equal(typeof sessionId, "string");
  await request(app)
    .post("/mcp")
    .set(mcpHeaders)
    .set("Mcp-Session-Id", sessionId as string)
    .set("MCP-Protocol-Version", "2025-11-25")
    .send({ jsonrpc: "2.0", method: "notifications/initialized" })
    .expect(202);
  return sessionId as string;
}

describe("POST/GET/DELETE /mcp status codes (stateful)", () => {
  let built: Awaited<ReturnType<typeof buildApp>>;
  let app: Express;
  before(async () => {
    built = await buildApp({ MAX_BODY_BYTES: "2048" });
    app = built.app;
  });
  after(async () => {
    await built.services.close();
  });

  it("initialize creates a session and returns its id in Mcp-Session-Id", async () => {
    const res = await request(app).post("/mcp").set(mcpHeaders).send(initializeBody());
    assert.equal(res.status, 200);
    assert.match(String(res.headers["mcp-session-id"]), /^[0-9a-f-]{36}$/);
    // Nothing needs streaming before the answer, so it comes as plain JSON.
    assert.match(
      String(res.headers["content-type"]),
      /^application\/json/,
      "initialize is answered with JSON",
    );
    const [message] = answerMessages(res) as {
      result: { protocolVersion: string; serverInfo: { name: string } };
    }[];
    assert.equal(message!.result.protocolVersion, "2025-11-25");
    assert.equal(message!.result.serverInfo.name, "resilient-mcp");
  });

  it("a non-initialize request without a session id is 400", async () => {
    const res = await request(app)
      .post("/mcp")
      .set(mcpHeaders)
      .send({ jsonrpc: "2.0", id: 1, method: "tools/list" });
    assertJsonRpcError(res, 400);
    assert.match(res.body.error.message, /Mcp-Session-Id/);
  });

  it("an initialize without an id (a notification) opens no session: 400", async () => {
    const { id: _id, ...notification } = initializeBody();
    const res = await request(app).post("/mcp").set(mcpHeaders).send(notification);
    assertJsonRpcError(res, 400, -32600);
    // It did send initialize: "send initialize first" would send it round in circles.
    assert.match(res.body.error.message, /initialize must be a request with an id/);
    assert.doesNotMatch(res.body.error.data.suggestion, /first/);
    assert.equal(res.headers["mcp-session-id"], undefined, "no session id was issued");
  });

  it("an unknown session id is 404 so clients re-initialize", async () => {
    const res = await request(app)
      .post("/mcp")
      .set(mcpHeaders)
      .set("Mcp-Session-Id", "00000000-0000-0000-0000-000000000000")
      .send({ jsonrpc: "2.0", id: 1, method: "tools/list" });
    assertJsonRpcError(res, 404, -32001);
    assert.match(res.body.error.data.suggestion, /initialize/);
  });

  it("a session ended with DELETE is 404 afterwards", async () => {
    const sessionId = await openSession(app);
    await request(app)
      .delete("/mcp")
      .set("Mcp-Session-Id", sessionId)
      .set("MCP-Protocol-Version", "2025-11-25")
      .expect(200);
    const res = await request(app)
      .post("/mcp")
      .set(mcpHeaders)
      .set("Mcp-Session-Id", sessionId)
      .send({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    assertJsonRpcError(res, 404, -32001);
    const get = await request(app)
      .get("/mcp")
      .set("Accept", "text/event-stream")
      .set("Mcp-Session-Id", sessionId);
    assertJsonRpcError(get, 404, -32001);
  });

  it("malformed JSON is 400 with -32700", async () => {
    const res = await request(app).post("/mcp").set(mcpHeaders).send('{"jsonrpc": "2.0", "id": 1,');
    assertJsonRpcError(res, 400, -32700);
  });

  it("JSON that is not JSON-RPC is 400 with -32600", async () => {
    const res = await request(app).post("/mcp").set(mcpHeaders).send({ hello: "world" });
    assertJsonRpcError(res, 400, -32600);
  });

  it("a wrong content type is 415", async () => {
    const res = await request(app)
      .post("/mcp")
      .set("Accept", mcpHeaders.Accept)
      .set("Content-Type", "text/plain")
      .send(JSON.stringify(initializeBody()));
    assertJsonRpcError(res, 415);
  });

  it("an Accept header lacking text/event-stream is 406", async () => {
    const res = await request(app)
      .post("/mcp")
      .set("Content-Type", "application/json")
      .set("Accept", "application/json")
      .send(initializeBody());
    assertJsonRpcError(res, 406);
    assert.match(res.body.error.data.suggestion, /Accept: application\/json, text\/event-stream/);
    assert.equal(
      built.services.endpoint.sessions?.size,
      1,
      "a refused initialize must not leave a session behind",
    );
  });

  it("an unsupported MCP-Protocol-Version is 400", async () => {
    const sessionId = await openSession(app);
    const res = await request(app)
      .post("/mcp")
      .set(mcpHeaders)
      .set("Mcp-Session-Id", sessionId)
      .set("MCP-Protocol-Version", "1999-01-01")
      .send({ jsonrpc: "2.0", id: 3, method: "tools/list" });
    assertJsonRpcError(res, 400);
    assert.match(res.body.error.message, /protocol version/i);
  });

  it("a body over the configured limit is 413", async () => {
    const res = await request(app)
      .post("/mcp")
      .set(mcpHeaders)
      .send({ ...initializeBody(), padding: "x".repeat(4096) });
    assertJsonRpcError(res, 413);
    assert.equal(res.body.error.data.max_bytes, 2048);
  });

  it("a disallowed Origin is 403", async () => {
    const res = await request(app)
      .post("/mcp")
      .set(mcpHeaders)
      .set("Origin", "https://evil.example")
      .send(initializeBody());
    assertJsonRpcError(res, 403);
    assert.match(res.body.error.message, /Origin/);
  });

  it("a disallowed Host is 403 (DNS rebinding)", async () => {
    const res = await request(app)
      .post("/mcp")
      .set(mcpHeaders)
      .set("Host", "evil.example")
      .send(initializeBody());
    assertJsonRpcError(res, 403);
    assert.match(res.body.error.message, /Host/);
  });

  it("an allowed Origin gets CORS headers that expose Mcp-Session-Id", async () => {
    const res = await request(app)
      .post("/mcp")
      .set(mcpHeaders)
      .set("Origin", "http://localhost:6274")
      .send(initializeBody());
    assert.equal(res.status, 200);
    assert.equal(res.headers["access-control-allow-origin"], "http://localhost:6274");
    assert.match(String(res.headers["access-control-expose-headers"]), /Mcp-Session-Id/);
    const preflight = await request(app)
      .options("/mcp")
      .set("Origin", "http://localhost:6274")
      .set("Access-Control-Request-Method", "POST")
      .set("Access-Control-Request-Headers", "mcp-session-id, mcp-protocol-version, content-type");
    assert.equal(preflight.status, 204);
    assert.match(String(preflight.headers["access-control-allow-headers"]), /Mcp-Session-Id/);
    assert.match(String(preflight.headers["access-control-allow-headers"]), /MCP-Protocol-Version/);
  });

  it("an unsupported method on /mcp is 405 with Allow", async () => {
    const res = await request(app).put("/mcp").set(mcpHeaders).send({});
    assertJsonRpcError(res, 405);
    assert.equal(res.headers.allow, "GET, POST, DELETE");
  });

  it("an unknown path is a JSON 404, not an HTML page", async () => {
    const res = await request(app).get("/nope");
    assertJsonRpcError(res, 404);
  });
});

describe("session lifecycle limits", () => {
  it("past the session cap, initialize gets 503 with Retry-After", async () => {
    const { app, services } = await buildApp({ MAX_SESSIONS: "2" });
    try {
      await openSession(app);
      await openSession(app);
      const res = await request(app).post("/mcp").set(mcpHeaders).send(initializeBody());
      assertJsonRpcError(res, 503);
      const retryAfter = Number(res.headers["retry-after"]);
      assert.ok(retryAfter >= 1, `Retry-After ${res.headers["retry-after"]}`);
      assert.equal(res.body.error.data.retry_after_seconds, retryAfter);
      assert.equal(res.body.error.data.reason, "capacity");
      const metrics = await request(app).get("/metrics");
      assert.match(metrics.text, /mcp_sessions_rejected_total\{reason="capacity"\} 1/);
    } finally {
      await services.close();
    }
  });

  it("idle sessions expire, are counted, and answer 404 afterwards", async () => {
    const { app, services } = await buildApp({ SESSION_IDLE_TIMEOUT_MS: "1000" });
    try {
      const sessions = services.endpoint.sessions!;
      const sessionId = await openSession(app);
      assert.equal(sessions.size, 1);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      // The idle sweep (every 250 ms here) may have expired it first; either way exactly once.
      await sessions.expireIdle();
      assert.equal(sessions.size, 0);
      const res = await request(app)
        .post("/mcp")
        .set(mcpHeaders)
        .set("Mcp-Session-Id", sessionId)
        .send({ jsonrpc: "2.0", id: 9, method: "ping" });
      assertJsonRpcError(res, 404, -32001);
      const metrics = await request(app).get("/metrics");
      assert.match(metrics.text, /mcp_sessions_expired_total 1/);
      assert.match(metrics.text, /mcp_sessions_active 0/);
    } finally {
      await services.close();
    }
  });

  it("while draining, new sessions are refused with 503 and existing ones still work", async () => {
    const { app, services } = await buildApp();
    try {
      const sessionId = await openSession(app);
      services.lifecycle.startDraining();
      const refused = await request(app).post("/mcp").set(mcpHeaders).send(initializeBody());
      assertJsonRpcError(refused, 503);
      assert.equal(refused.body.error.data.reason, "draining");
      const ping = await request(app)
        .post("/mcp")
        .set(mcpHeaders)
        .set("Mcp-Session-Id", sessionId)
        .set("MCP-Protocol-Version", "2025-11-25")
        .send({ jsonrpc: "2.0", id: 5, method: "ping" });
      assert.equal(ping.status, 200);
    } finally {
      await services.close();
    }
  });
});

describe("stateless mode", () => {
  it("serves any request without a session, and answers GET/DELETE with 405", async () => {
    const { app, services } = await buildApp({ MCP_SESSION_MODE: "stateless" });
    try {
      const res = await request(app)
        .post("/mcp")
        .set(mcpHeaders)
        .set("MCP-Protocol-Version", "2025-11-25")
        .send({ jsonrpc: "2.0", id: 1, method: "tools/list" });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers["mcp-session-id"], undefined);
      const [message] = answerMessages(res) as { result: { tools: unknown[] } }[];
      assert.ok(Array.isArray(message!.result.tools));
      const get = await request(app).get("/mcp").set("Accept", "text/event-stream");
      assertJsonRpcError(get, 405);
      assert.equal(get.headers.allow, "POST");
    } finally {
      await services.close();
    }
  });
});
