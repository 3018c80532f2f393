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
    assert.equal((await request(app).get("/ready").expect(200)).body.status, "ready");
    services.lifecycle.startDraining();
    const res = await request(app).get("/ready").expect(503);
    assert.equal(res.body.status, "draining");
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
      /mcp_server_operation_duration_seconds_count\{mcp_method_name="initialize",gen_ai_tool_name="",error_type=""\} 1/,
    );
    // Two apps in one process keep separate registries: nothing leaks between them.
    const other = await buildApp();
    const otherMetrics = await request(other.app).get("/metrics").expect(200);
    assert.match(otherMetrics.text, /mcp_sessions_created_total 0/);
    await other.services.close();
    await services.close();
  });
});
