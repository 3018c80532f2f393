import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Express } from "express";
import { createKey, keysCommand, keysFilePath } from "../helpers/api-keys.js";
import { request, type Response } from "../helpers/bounded-request.js";
import { DeadlineError } from "../helpers/deadline.js";
import { answerMessages, initializeBody, mcpHeaders } from "../helpers/mcp-requests.js";
import { buildApp } from "../helpers/test-server.js";

type Built = Awaited<ReturnType<typeof buildApp>>;

/** A 401/403 is a JSON-RPC error body, never HTML, with the reason and a suggestion in its data. */
function assertRefusal(res: Response, status: number, reason: string): void {
  assert.equal(res.status, status, `status ${res.status}: ${res.text}`);
  assert.match(String(res.headers["content-type"]), /application\/json/);
  assert.equal(res.body.jsonrpc, "2.0");
  assert.equal(res.body.id, null);
  assert.equal(res.body.error.data.reason, reason);
  assert.equal(typeof res.body.error.data.suggestion, "string");
}

async function failures(built: Built): Promise<Record<string, number>> {
  const metric = await built.services.metrics.registry.getSingleMetric("mcp_auth_failures_total")?.get();
  return Object.fromEntries(
    (metric?.values ?? []).map((value) => [String(value.labels.reason), value.value]),
  );
}

function post(app: Express, key: string | undefined, body: unknown, sessionId?: string) {
  const pending = request(app).post("/mcp").set(mcpHeaders);
  if (key !== undefined) pending.set("Authorization", `Bearer ${key}`);
  if (sessionId !== undefined)
    pending.set("Mcp-Session-Id", sessionId).set("MCP-Protocol-Version", "2025-11-25");
  return pending.send(body as object);
}

async function openSession(app: Express, key: string | undefined): Promise<string> {
  const res = await post(app, key, initializeBody());
  assert.equal(res.status, 200, res.text);
  const sessionId = String(res.headers["mcp-session-id"]);
  await post(app, key, { jsonrpc: "2.0", method: "notifications/initialized" }, sessionId).expect(202);
  return sessionId;
}

const toolCall = (name: string, args: Record<string, unknown>) => ({
  jsonrpc: "2.0",
  id: 2,
  method: "tools/call",
  params: { name, arguments: args },
});

function envelopeOf(res: Response): any {
  const [message] = answerMessages(res) as { result: { structuredContent: any } }[];
  return message?.result.structuredContent;
}

describe("API keys in front of /mcp", () => {
  let built: Built;
  let file: string;
  let deployer: { key: string; id: string };
  let reader: { key: string; id: string };

  before(async () => {
    file = keysFilePath();
    deployer = await createKey(file, "ci-deployer", ["deploy.staging", "deploy.cancel"]);
    reader = await createKey(file, "dashboard");
    built = await buildApp({ AUTH_API_KEYS_FILE: file, LOG_LEVEL: "info" });
  });
  after(async () => {
    await built.services.close();
  });

  it("keys create prints the key once, as the last line, and stores only its hash", async () => {
    const run = await keysCommand(
      "create",
      "--file",
      file,
      "--principal",
      "temp",
      "--permissions",
      "deploy.staging",
    );
    assert.equal(run.code, 0);
    const key = run.out.at(-1) ?? "";
    // The secret is the 43 characters after the id; it may itself hold "_" (base64url).
    const secret = /^rmcp_k[a-z2-7]{10}_([A-Za-z0-9_-]{43})$/.exec(key)?.[1];
    assert.ok(secret !== undefined, `the key has the documented shape: ${key}`);
    const stored = await import("node:fs/promises").then((fs) => fs.readFile(file, "utf8"));
    assert.ok(!stored.includes(secret), "the secret is not in the file");
    const listed = await keysCommand("list", "--file", file);
    assert.ok(listed.out.some((line) => line.includes("temp") && line.includes("active")));
    assert.ok(!listed.out.join("\n").includes(key), "list never shows a key");
  });

  it("refuses a request without credentials: 401, WWW-Authenticate: Bearer, counted as missing", async () => {
    const before = await failures(built);
    const res = await post(built.app, undefined, initializeBody());
    assertRefusal(res, 401, "missing");
    assert.equal(res.headers["www-authenticate"], "Bearer", "no error code when no credentials were sent");
    assert.match(res.body.error.data.suggestion, /Authorization: Bearer <API key>/);
    assert.equal((await failures(built)).missing, (before.missing ?? 0) + 1);
    // Another scheme is not a bearer credential either.
    const basic = await request(built.app)
      .post("/mcp")
      .set(mcpHeaders)
      .set("Authorization", "Basic dXNlcjpwYXNz")
      .send(initializeBody());
    assertRefusal(basic, 401, "missing");
  });

  it("refuses an unknown key, a wrong secret and a malformed key with 401 invalid_token", async () => {
    const wrongSecret = `${deployer.key.slice(0, -4)}AAAA`;
    const unknownId = deployer.key.replace(deployer.id, "kaaaaaaaaaa");
    for (const key of [wrongSecret, unknownId, "rmcp_short", "eyJhbGciOiJub25lIn0.e30.x"]) {
      const res = await post(built.app, key, initializeBody());
      assertRefusal(res, 401, "invalid");
      assert.match(
        String(res.headers["www-authenticate"]),
        /^Bearer error="invalid_token", error_description="[^"]+"$/,
      );
    }
  });

  it("serves a valid key; its principal and permissions reach the tools and the log", async () => {
    const sessionId = await openSession(built.app, deployer.key);
    const staging = envelopeOf(
      await post(
        built.app,
        deployer.key,
        toolCall("deploy_application", { app_name: "web-frontend", environment: "staging" }),
        sessionId,
      ),
    );
    assert.equal(staging.success, true, JSON.stringify(staging));
    const production = envelopeOf(
      await post(
        built.app,
        deployer.key,
        toolCall("deploy_application", { app_name: "web-frontend", environment: "production" }),
        sessionId,
      ),
    );
    assert.equal(production.error.type, "permission_denied");
    assert.equal(production.error.required_permission, "deploy.production");
    assert.match(production.error.suggestion, /'deploy\.production'/);

    const audit = (built.logs.lines as any[]).find(
      (line) => line.reference_id === production.error.reference_id,
    );
    assert.equal(audit?.audit, "write");
    assert.equal(audit?.principal, "ci-deployer");
    assert.equal(audit?.auth, "api_key");
    assert.equal(audit?.credential_id, deployer.id);
    assert.equal(audit?.target, "application/web-frontend");
    assert.equal(audit?.environment, "production");
    assert.equal(audit?.outcome, "error");
    assert.equal(audit?.error_type, "permission_denied");
    const requestLine = (built.logs.lines as any[]).find((line) => line.res?.principal === "ci-deployer");
    assert.ok(requestLine, "the HTTP request line names the principal");
    assert.ok(!built.logs.raw.join("\n").includes(deployer.key), "the key never reaches the log");
  });

  it("a key without permissions calls the read-only tools and is refused every write", async () => {
    const sessionId = await openSession(built.app, reader.key);
    assert.equal(
      envelopeOf(await post(built.app, reader.key, toolCall("get_user", { user_id: "1" }), sessionId))
        .success,
      true,
    );
    const denied = envelopeOf(
      await post(
        built.app,
        reader.key,
        toolCall("import_records", {
          users: [{ id: "7", name: "Eve", email: "eve@example.com", role: "admin" }],
        }),
        sessionId,
      ),
    );
    assert.equal(denied.error.type, "permission_denied");
    assert.equal(denied.error.required_permission, "records.import");
  });

  it("answers another principal's session like an unknown one (404), and counts it", async () => {
    const sessionId = await openSession(built.app, deployer.key);
    const before = await failures(built);
    const unknown = await post(
      built.app,
      reader.key,
      toolCall("get_user", { user_id: "1" }),
      "00000000-0000-0000-0000-000000000000",
    );
    const foreign = await post(built.app, reader.key, toolCall("get_user", { user_id: "1" }), sessionId);
    assert.equal(foreign.status, 404);
    assert.deepEqual(foreign.body, unknown.body, "indistinguishable from an unknown session");
    const stream = await request(built.app)
      .get("/mcp")
      .set("Authorization", `Bearer ${reader.key}`)
      .set("Accept", "text/event-stream")
      .set("Mcp-Session-Id", sessionId);
    assert.equal(stream.status, 404);
    const deleted = await request(built.app)
      .delete("/mcp")
      .set("Authorization", `Bearer ${reader.key}`)
      .set("Mcp-Session-Id", sessionId);
    assert.equal(deleted.status, 404);
    assert.equal((await failures(built)).session_mismatch, (before.session_mismatch ?? 0) + 3);
    // The owner still has it.
    assert.equal(
      envelopeOf(await post(built.app, deployer.key, toolCall("get_user", { user_id: "1" }), sessionId))
        .success,
      true,
    );
    // Without credentials the request never reaches the session: 401.
    assertRefusal(
      await post(built.app, undefined, toolCall("get_user", { user_id: "1" }), sessionId),
      401,
      "missing",
    );
  });

  it("refuses a key in the query string (400) even beside a valid header, and never logs it", async () => {
    const res = await request(built.app)
      .post(`/mcp?api_key=${encodeURIComponent(reader.key)}`)
      .set(mcpHeaders)
      .set("Authorization", `Bearer ${reader.key}`)
      .send(initializeBody());
    assert.equal(res.status, 400);
    assert.match(String(res.headers["www-authenticate"]), /error="invalid_request"/);
    assert.match(res.body.error.data.suggestion, /never in the URL/);
    const named = await request(built.app)
      .post(`/mcp?x=${encodeURIComponent(deployer.key)}`)
      .set(mcpHeaders)
      .send(initializeBody());
    assert.equal(named.status, 400, "a key is refused whatever the parameter is called");
    await sleep(10);
    const raw = built.logs.raw.join("\n");
    assert.ok(
      !raw.includes(reader.key.slice(-20)) && !raw.includes(deployer.key.slice(-20)),
      "no key in the log",
    );
    const urls = built.logs.lines.map((line) => (line.req as { url?: unknown } | undefined)?.url);
    assert.ok(urls.includes("/mcp"), "the request line shows the path");
    assert.ok(!raw.includes("api_key="), "and no query string at all");
  });

  it("a revoked key is refused from the next reload; the log says which key, never the key", async () => {
    const doomed = await createKey(file, "leaked", ["deploy.staging"]);
    await built.services.auth.reload();
    assert.equal((await post(built.app, doomed.key, initializeBody())).status, 200);
    const revoked = await keysCommand("revoke", "--file", file, "--id", doomed.id);
    assert.equal(revoked.code, 0, revoked.err.join("\n"));
    await built.services.auth.reload();
    const res = await post(built.app, doomed.key, initializeBody());
    assertRefusal(res, 401, "invalid");
    await sleep(10);
    const line = (built.logs.lines as any[]).findLast((entry) => entry.res?.statusCode === 401);
    assert.equal(line?.res?.auth_detail, `key ${doomed.id} is revoked`);
    assert.ok(!built.logs.raw.join("\n").includes(doomed.key));
  });

  it("an invalid keys file is reported and the keys loaded before stay in force", async () => {
    const good = await import("node:fs/promises").then((fs) => fs.readFile(file, "utf8"));
    await writeFile(file, '{"keys": [{"id": "oops"}]}');
    await built.services.auth.reload();
    assert.equal((await post(built.app, deployer.key, initializeBody())).status, 200);
    await sleep(10);
    assert.ok(
      built.logs.lines.some(
        (line) => line.msg === "API keys file not reloaded; the keys loaded before stay in force",
      ),
    );
    await writeFile(file, good);
    await built.services.auth.reload();
  });
});

describe("API keys: a key added while the server runs works without a restart", () => {
  it("the watched file is re-read on change", async () => {
    const file = keysFilePath();
    await createKey(file, "first");
    const built = await buildApp({ AUTH_API_KEYS_FILE: file });
    try {
      const added = await createKey(file, "second");
      const deadline = Date.now() + 5000;
      let status = 0;
      while (status !== 200) {
        if (Date.now() > deadline)
          throw new DeadlineError("the new key to be accepted after the file changed", 5000);
        status = (await post(built.app, added.key, initializeBody())).status;
        if (status !== 200) await sleep(50);
      }
      assert.ok(
        built.logs.lines.some((line) => line.msg === "API keys reloaded" && line.why === "file changed"),
      );
    } finally {
      await built.services.close();
    }
  });
});

describe("API keys with AUTH_ALLOW_ANONYMOUS=true", () => {
  let built: Built;
  let key: string;
  before(async () => {
    const file = keysFilePath();
    ({ key } = await createKey(file, "ops", ["deploy.staging"]));
    built = await buildApp({
      AUTH_API_KEYS_FILE: file,
      AUTH_ALLOW_ANONYMOUS: "true",
      ANONYMOUS_PERMISSIONS: "",
    });
  });
  after(async () => {
    await built.services.close();
  });

  it("serves anonymous callers read-only, and keeps their sessions apart from keys", async () => {
    const sessionId = await openSession(built.app, undefined);
    assert.equal(
      envelopeOf(await post(built.app, undefined, toolCall("get_user", { user_id: "1" }), sessionId)).success,
      true,
    );
    const denied = envelopeOf(
      await post(
        built.app,
        undefined,
        toolCall("deploy_application", { app_name: "web-frontend", environment: "production" }),
        sessionId,
      ),
    );
    assert.equal(denied.error.type, "permission_denied");
    assert.equal(denied.error.required_permission, "deploy.production");
    assert.equal((await post(built.app, key, toolCall("get_user", { user_id: "1" }), sessionId)).status, 404);
    // A wrong key is still refused: anonymous access is for callers without credentials.
    assertRefusal(await post(built.app, `${key.slice(0, -4)}AAAA`, initializeBody()), 401, "invalid");
  });
});

describe("API keys in stateless mode", () => {
  it("authenticates every request and passes the principal to the tool", async () => {
    const file = keysFilePath();
    const { key } = await createKey(file, "batch-job", ["deploy.development"]);
    const built = await buildApp({ AUTH_API_KEYS_FILE: file, MCP_SESSION_MODE: "stateless" });
    try {
      assertRefusal(await post(built.app, undefined, toolCall("get_user", { user_id: "1" })), 401, "missing");
      const denied = envelopeOf(
        await post(
          built.app,
          key,
          toolCall("deploy_application", { app_name: "web-frontend", environment: "staging" }),
        ),
      );
      assert.equal(denied.error.required_permission, "deploy.staging");
      const allowed = envelopeOf(
        await post(
          built.app,
          key,
          toolCall("deploy_application", { app_name: "web-frontend", environment: "development" }),
        ),
      );
      assert.equal(allowed.success, true, JSON.stringify(allowed));
    } finally {
      await built.services.close();
    }
  });
});
