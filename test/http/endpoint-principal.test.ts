import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../config/load.js";
import { createServices, type Services } from "../../src/services.js";
import type { Principal } from "../../src/tools/tool-definition.js";
import { deadlineSignal } from "../helpers/deadline.js";
import { LogCapture } from "../helpers/log-capture.js";
import { McpHttpSession, readAnswer, toolCallRequest } from "../helpers/mcp-http-session.js";
import { callTool } from "../helpers/modern-requests.js";

/**
 * The endpoint's contract with an authentication layer in front of it: whoever that layer says
 * sent a request (res.locals.principal in the app) is the caller of the tool, in both eras, and a
 * 2025 session answers only the principal that opened it. Here a plain HTTP server stands in for
 * the auth middleware, naming the principal from a test header.
 */

const PRINCIPALS: Record<string, Principal> = {
  alice: { id: "alice", permissions: new Set(["deploy.production", "deploy.staging"]) },
  bob: { id: "bob", permissions: new Set(["deploy.staging"]) },
};

describe("the principal the auth layer names", () => {
  let services: Services;
  let http: Server;
  let mcpUrl: URL;
  before(async () => {
    const config = loadConfig({
      LOG_LEVEL: "debug",
      DATA_DIR: mkdtempSync(join(tmpdir(), "resilient-mcp-principal-")),
      ANONYMOUS_PERMISSIONS: "project.create",
    });
    services = await createServices(config, { logDestination: new LogCapture() });
    const { endpoint } = services;
    http = createServer((req, res) => {
      const name = req.headers["x-test-principal"];
      const principal = typeof name === "string" ? PRINCIPALS[name] : undefined;
      if (req.method !== "POST") {
        void endpoint.getOrDelete(req, res, principal);
        return;
      }
      let text = "";
      req.on("data", (chunk: Buffer) => (text += chunk.toString()));
      req.on("end", () => {
        void endpoint.post(req, res, JSON.parse(text), principal);
      });
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    mcpUrl = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`);
  });
  after(async () => {
    await services.close();
    await new Promise<void>((resolve) => {
      http.close(() => {
        resolve();
      });
      http.closeAllConnections();
    });
  });

  it("reaches the tool in the stateless era: its permissions decide", async () => {
    const deploy = { app_name: "web-frontend", environment: "production" };
    const bob = await callTool(mcpUrl, "deploy_application", deploy, {
      headers: { "x-test-principal": "bob" },
    });
    assert.equal(bob.messages[0].result.structuredContent.error.type, "permission_denied");
    const nobody = await callTool(mcpUrl, "deploy_application", deploy);
    assert.equal(
      nobody.messages[0].result.structuredContent.error.type,
      "permission_denied",
      "anonymous gets the defaults",
    );
    const alice = await callTool(mcpUrl, "deploy_application", deploy, {
      headers: { "x-test-principal": "alice" },
    });
    assert.equal(alice.messages[0].result.structuredContent.success, true, alice.text);
  });

  it("reaches the tool on a session, and the session answers no one else: 404, counted as an auth failure (session_mismatch)", async () => {
    const session = await McpHttpSession.open(mcpUrl);
    const asAnonymous = await readAnswer(
      await session.post(
        toolCallRequest(1, "deploy_application", { app_name: "api-gateway", environment: "staging" }),
      ),
    );
    assert.equal(asAnonymous.messages[0].result.structuredContent.error.type, "permission_denied");

    const asBob = await readAnswer(
      await session.post(toolCallRequest(2, "get_user", { user_id: "1" }), {
        headers: { "x-test-principal": "bob" },
      }),
    );
    assert.equal(asBob.status, 404);
    assert.equal(asBob.messages[0].error.message, "Session not found", "exactly as for an unknown session");
    const deleted = await readAnswer(
      await fetch(mcpUrl, {
        method: "DELETE",
        headers: { ...session.headers, "x-test-principal": "bob" },
        signal: deadlineSignal("DELETE as another principal"),
      }),
    );
    assert.equal(deleted.status, 404, "another principal cannot end the session either");
    assert.ok(services.endpoint.sessions?.get(session.id), "the session lives on");

    const failures = await services.metrics.registry.getSingleMetric("mcp_auth_failures_total")?.get();
    const mismatches = failures?.values.find((value) => value.labels.reason === "session_mismatch");
    assert.equal(mismatches?.value, 2);
  });
});
