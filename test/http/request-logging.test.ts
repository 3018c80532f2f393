import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import { request } from "../helpers/bounded-request.js";
import { buildApp } from "../helpers/test-server.js";
import { initializeBody, mcpHeaders } from "../helpers/mcp-requests.js";
import { envelope, modernHeaders } from "../helpers/modern-requests.js";

type ErrorResult = { error: { reference_id?: unknown } };

type LogLine = Record<string, unknown> & {
  req?: { id?: unknown; url?: unknown; headers?: Record<string, unknown> };
};

describe("structured request logs", () => {
  it("carry a sane incoming X-Request-Id, echo it, and redact Authorization", async () => {
    const { app, services, logs } = await buildApp({ LOG_LEVEL: "info" });
    const res = await request(app)
      .post("/mcp")
      .set(mcpHeaders)
      .set("X-Request-Id", "trace-abc.123")
      .set("Authorization", "Bearer super-secret-token")
      .send(initializeBody());
    assert.equal(res.status, 200);
    assert.equal(res.headers["x-request-id"], "trace-abc.123");
    await tick();
    const line = (logs.lines as LogLine[]).find((entry) => entry.req?.id === "trace-abc.123");
    assert.ok(line, "a log line carries the request id");
    assert.equal(line.level, "info");
    assert.equal(line.req?.headers?.authorization, "[redacted]");
    assert.ok(!logs.raw.join("\n").includes("super-secret-token"), "the token never reaches the log");
    await services.close();
  });

  it("tie a tool call's log line to its HTTP request: the call line carries the request id", async () => {
    const { app, services, logs } = await buildApp({ LOG_LEVEL: "info" });
    const init = await request(app).post("/mcp").set(mcpHeaders).send(initializeBody());
    const session = String(init.headers["mcp-session-id"]);
    const call = (requestId?: string) => {
      const pending = request(app)
        .post("/mcp")
        .set(mcpHeaders)
        .set("Mcp-Session-Id", session)
        .set("MCP-Protocol-Version", "2025-11-25");
      if (requestId !== undefined) pending.set("X-Request-Id", requestId);
      return pending.send({
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: { name: "get_user", arguments: { user_id: "1" } },
      });
    };
    const given = await call("trace-call.1");
    const generated = await call();
    assert.equal(given.status, 200, given.text);
    assert.equal(generated.status, 200, generated.text);
    await tick();
    const callLines = (logs.lines as LogLine[]).filter((entry) => typeof entry.reference_id === "string");
    const requestIds = callLines.map((entry) => entry.request_id);
    assert.deepEqual(
      requestIds,
      ["trace-call.1", generated.headers["x-request-id"]],
      "each call line carries the X-Request-Id its HTTP request was logged and answered with",
    );
    await services.close();
  });

  it("tie a failed 2026 call's result, its call line and its HTTP request together by id", async () => {
    const { app, services, logs } = await buildApp({ LOG_LEVEL: "info" });
    const params = { name: "get_user", arguments: { user_id: "999" }, _meta: envelope() };
    const res = await request(app)
      .post("/mcp")
      .set(modernHeaders("tools/call", params))
      .set("X-Request-Id", "trace-modern.9")
      .send({ jsonrpc: "2.0", id: 3, method: "tools/call", params });
    assert.equal(res.status, 200, res.text);
    const result = (res.body as { result?: { isError?: boolean; structuredContent?: ErrorResult } }).result;
    assert.equal(result?.isError, true, res.text);
    const referenceId = result?.structuredContent?.error.reference_id;
    assert.ok(typeof referenceId === "string", "the error result carries a reference id");
    await tick();
    const callLine = (logs.lines as LogLine[]).find((entry) => entry.reference_id === referenceId);
    assert.ok(callLine, `a log line carries the result's reference id ${referenceId}`);
    assert.equal(callLine.request_id, "trace-modern.9", "the call line carries the HTTP request's id");
    const httpLine = (logs.lines as LogLine[]).find((entry) => entry.req?.id === "trace-modern.9");
    assert.ok(httpLine, "the HTTP request line carries the same id");
    await services.close();
  });

  it("replaces an unsafe X-Request-Id with a generated one", async () => {
    const { app, services, logs } = await buildApp({ LOG_LEVEL: "info" });
    const hostile = `x"}{"level":"fatal ${"a".repeat(200)}`;
    const res = await request(app).get("/nope").set("X-Request-Id", hostile);
    const id = String(res.headers["x-request-id"]);
    assert.match(id, /^[0-9a-f-]{36}$/);
    await tick();
    assert.ok((logs.lines as LogLine[]).some((entry) => entry.req?.id === id));
    // The header itself may be logged, but JSON-escaped: it cannot forge a line or a level.
    assert.ok(logs.lines.every((entry) => entry.level !== "fatal"));
    await services.close();
  });

  it("does not log health, readiness and metrics requests at info", async () => {
    const { app, services, logs } = await buildApp({ LOG_LEVEL: "info" });
    await request(app).get("/health").expect(200);
    await request(app).get("/ready").expect(200);
    await request(app).get("/metrics").expect(200);
    await request(app).get("/nope").expect(404);
    await tick();
    const urls = (logs.lines as LogLine[]).map((entry) => entry.req?.url).filter((url) => url !== undefined);
    assert.deepEqual(urls, ["/nope"]);
    await services.close();
  });
});
