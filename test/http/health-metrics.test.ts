import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { request } from "../helpers/bounded-request.js";
import { buildApp } from "../helpers/test-server.js";
import { initializeBody, mcpHeaders } from "../helpers/mcp-requests.js";

describe("health, readiness and metrics", () => {
  it("GET /health is 200 JSON while the process serves", async () => {
    const { app, services } = await buildApp();
    const res = await request(app).get("/health").expect(200);
    assert.equal(res.body.status, "ok");
    assert.equal(typeof res.body.version, "string");
    await services.close();
  });

  it("GET /ready is 200 until draining, then 503", async () => {
    const { app, services } = await buildApp();
    assert.deepEqual((await request(app).get("/ready").expect(200)).body, {
      status: "ready",
      checks: { store: "ok" },
    });
    services.lifecycle.startDraining();
    const res = await request(app).get("/ready").expect(503);
    assert.equal(res.body.status, "draining");
    await services.close();
  });

  it("a stop announced but not yet draining: /ready is 503 while new sessions are still served", async () => {
    const { app, services } = await buildApp();
    services.lifecycle.announceStop();
    assert.equal((await request(app).get("/ready").expect(503)).body.status, "draining");
    await request(app).post("/mcp").set(mcpHeaders).send(initializeBody()).expect(200);
    services.lifecycle.startDraining();
    const refused = await request(app).post("/mcp").set(mcpHeaders).send(initializeBody()).expect(503);
    assert.equal(refused.body.error.data.reason, "draining");
    const metrics = (await request(app).get("/metrics").expect(200)).text;
    assert.match(metrics, /mcp_server_ready 0/);
    assert.match(
      metrics,
      /mcp_server_readiness_check\{check="store"\} 1/,
      "a drain is not a failing dependency",
    );
    assert.match(metrics, /mcp_sessions_rejected_total\{reason="draining"\} 1/);
    await services.close();
  });

  it("observes a session's duration when it ends, by negotiated protocol version", async () => {
    const { app, services } = await buildApp();
    const opened = await request(app).post("/mcp").set(mcpHeaders).send(initializeBody()).expect(200);
    const sessionId = String(opened.headers["mcp-session-id"]);
    await request(app)
      .delete("/mcp")
      .set(mcpHeaders)
      .set("Mcp-Session-Id", sessionId)
      .set("MCP-Protocol-Version", "2025-11-25")
      .expect(200);
    const metrics = (await request(app).get("/metrics").expect(200)).text;
    assert.match(
      metrics,
      /^mcp_server_session_duration_seconds_count\{mcp_protocol_version="2025-11-25",network_transport="tcp"\} 1$/m,
    );
    assert.match(metrics, /^mcp_sessions_active 0$/m);
    await services.close();
  });

  it("counts every HTTP response by method, route and status, unknown paths as one route", async () => {
    const { app, services } = await buildApp();
    await request(app).get("/health").expect(200);
    await request(app).get("/no/such/path?x=1").expect(404);
    await request(app).get("/another-missing").expect(404);
    await request(app).post("/mcp").set(mcpHeaders).send("{not json").type("application/json").expect(400);
    const metrics = (await request(app).get("/metrics").expect(200)).text;
    const count = (labels: string) =>
      Number(new RegExp(`^http_server_responses_total\\{${labels}\\} (\\d+)$`, "m").exec(metrics)?.[1] ?? 0);
    assert.equal(count('http_request_method="GET",http_route="/health",http_response_status_code="200"'), 1);
    assert.equal(count('http_request_method="GET",http_route="other",http_response_status_code="404"'), 2);
    assert.equal(count('http_request_method="POST",http_route="/mcp",http_response_status_code="400"'), 1);
    assert.doesNotMatch(metrics, /no\/such|another-missing/, "no path from the client becomes a label");
    await services.close();
  });

  it("GET /metrics exposes process metrics, sessions and the operation histogram on the app's own registry", async () => {
    const { app, services } = await buildApp();
    await request(app).post("/mcp").set(mcpHeaders).send(initializeBody()).expect(200);
    const res = await request(app).get("/metrics").expect(200);
    assert.match(String(res.headers["content-type"]), /text\/plain/);
    assert.match(res.text, /process_cpu_user_seconds_total/);
    assert.match(res.text, /mcp_sessions_active 1/);
    assert.match(res.text, /mcp_sessions_created_total 1/);
    assert.match(
      res.text,
      /mcp_server_operation_duration_seconds_count\{mcp_method_name="initialize",gen_ai_tool_name="",error_type="",rpc_response_status_code="",mcp_protocol_version="2025-11-25",network_transport="tcp"\} 1/,
    );
    // Two apps in one process keep separate registries: nothing leaks between them.
    const other = await buildApp();
    const otherMetrics = await request(other.app).get("/metrics").expect(200);
    assert.match(otherMetrics.text, /mcp_sessions_created_total 0/);
    await other.services.close();
    await services.close();
  });
});
