import assert from "node:assert/strict";
import { createServer, type AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createKey, keysCommand, keysFilePath } from "../helpers/api-keys.js";
import { DeadlineError, deadlineSignal, withDeadline } from "../helpers/deadline.js";
import { initializeBody, mcpHeaders } from "../helpers/mcp-requests.js";
import { spawnServer, type ServerProcess } from "../helpers/server-process.js";
import { callEnvelope } from "../helpers/tool-calls.js";

const PRODUCTION_DEPLOY = { app_name: "web-frontend", environment: "production" };

/** The startup failure of a server that must not start: its exit code and its output. */
async function failedStart(env: Record<string, string>): Promise<string> {
  const error = await spawnServer(env).then(
    (server) => {
      server.child.kill("SIGKILL");
      throw new Error("the server started");
    },
    (failure: unknown) => failure as Error,
  );
  assert.match(error.message, /^server exited with 1:/, "exit code 1");
  return error.message.replace(/^server exited with 1:\n/, "");
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function stop(server: ServerProcess): Promise<void> {
  server.child.kill("SIGTERM");
  await server.exited();
}

async function connect(url: URL, key: string): Promise<Client> {
  const client = new Client({ name: "e2e-key-client", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
  });
  await withDeadline("connect with an API key", client.connect(transport));
  return client;
}

describe("secure by default: what a server on a public address accepts", { timeout: 60_000 }, () => {
  it("HOST=0.0.0.0 without keys or OAuth refuses to start with one line that says how to configure them", async () => {
    const output = await failedStart({ HOST: "0.0.0.0" });
    const lines = output.trim().split("\n");
    assert.equal(lines.length, 1, output);
    assert.match(lines[0] ?? "", /^Cannot start: refusing to serve anonymous callers on HOST=0\.0\.0\.0/);
    assert.match(lines[0] ?? "", /AUTH_API_KEYS_FILE/);
    assert.match(lines[0] ?? "", /npm run keys -- create/);
    assert.match(lines[0] ?? "", /AUTH_ISSUER and PUBLIC_URL/);
    assert.match(lines[0] ?? "", /AUTH_ALLOW_ANONYMOUS=true/);
  });

  it("AUTH_ISSUER without PUBLIC_URL refuses to start, naming PUBLIC_URL", async () => {
    const output = await failedStart({ AUTH_ISSUER: "http://127.0.0.1:47" });
    assert.match(output.trim(), /^Cannot start: AUTH_ISSUER is set but PUBLIC_URL is not/);
  });

  it("a missing keys file refuses to start, naming the file", async () => {
    const output = await failedStart({ AUTH_API_KEYS_FILE: "/nonexistent/api-keys.json" });
    assert.match(
      output.trim(),
      /^Cannot start: API keys file .*api-keys\.json: no such file \(create it with `npm run keys -- create/,
    );
  });

  it("AUTH_ALLOW_ANONYMOUS=true lets an operator serve a public address without credentials, read-only", async () => {
    const server = await spawnServer({
      HOST: "0.0.0.0",
      AUTH_ALLOW_ANONYMOUS: "true",
      ANONYMOUS_PERMISSIONS: "",
    });
    try {
      const client = new Client({ name: "anonymous", version: "1.0.0" });
      await withDeadline(
        "connect anonymously",
        client.connect(new StreamableHTTPClientTransport(server.mcpUrl)),
      );
      const { envelope } = await callEnvelope(client, "deploy_application", PRODUCTION_DEPLOY);
      assert.equal(envelope.error.type, "permission_denied");
      await client.close();
    } finally {
      await stop(server);
    }
  });
});

describe("HOST=0.0.0.0 with AUTH_API_KEYS_FILE", { timeout: 60_000 }, () => {
  let server: ServerProcess;
  let file: string;
  let deployer: { key: string; id: string };
  const metricsToken = "metrics-token-0123456789abcdef";
  let metricsPort: number;

  before(async () => {
    file = keysFilePath();
    deployer = await createKey(file, "ci-deployer", ["deploy.staging"]);
    metricsPort = await freePort();
    server = await spawnServer({
      HOST: "0.0.0.0",
      AUTH_API_KEYS_FILE: file,
      METRICS_PORT: String(metricsPort),
      METRICS_BEARER_TOKEN: metricsToken,
    });
  });
  after(async () => {
    await stop(server);
  });

  it("serves, and answers an anonymous request with 401 and WWW-Authenticate", async () => {
    const response = await fetch(server.mcpUrl, {
      method: "POST",
      headers: mcpHeaders,
      body: JSON.stringify(initializeBody()),
      signal: deadlineSignal("anonymous initialize"),
    });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get("www-authenticate"), "Bearer");
    const body = (await response.json()) as any;
    assert.equal(body.error.data.reason, "missing");
  });

  it("the production-deploy repro: refused without credentials, permission_denied with a key lacking deploy.production", async () => {
    const anonymous = new Client({ name: "anonymous", version: "1.0.0" });
    await assert.rejects(
      withDeadline("anonymous connect", anonymous.connect(new StreamableHTTPClientTransport(server.mcpUrl))),
      (error: { code?: unknown; message: string }) =>
        error.code === 401 && error.message.includes("Unauthorized: this server needs credentials"),
    );
    const client = await connect(server.mcpUrl, deployer.key);
    try {
      const { result, envelope } = await callEnvelope(client, "deploy_application", PRODUCTION_DEPLOY);
      assert.equal(result.isError, true);
      assert.equal(envelope.error.type, "permission_denied");
      assert.equal(envelope.error.required_permission, "deploy.production");
      assert.match(envelope.error.suggestion, /ask the user/i);
    } finally {
      await client.close();
    }
  });

  it("a key revoked with the CLI is refused without a restart", async () => {
    const doomed = await createKey(file, "leaked", []);
    const status = async (key: string) =>
      (
        await fetch(server.mcpUrl, {
          method: "POST",
          headers: { ...mcpHeaders, authorization: `Bearer ${key}` },
          body: JSON.stringify(initializeBody()),
          signal: deadlineSignal("initialize with a key"),
        })
      ).status;
    const waitFor = async (key: string, wanted: number, what: string) => {
      const deadline = Date.now() + 5000;
      while ((await status(key)) !== wanted) {
        if (Date.now() > deadline) throw new DeadlineError(what, 5000);
        await sleep(50);
      }
    };
    await waitFor(doomed.key, 200, "the new key to be accepted");
    assert.equal((await keysCommand("revoke", "--file", file, "--id", doomed.id)).code, 0);
    await waitFor(doomed.key, 401, "the revoked key to be refused");
    assert.equal(await status(deployer.key), 200, "the other keys still work");
  });

  it("SIGHUP re-reads the keys instead of ending the process", async () => {
    server.child.kill("SIGHUP");
    await sleep(200);
    assert.equal(server.child.exitCode, null, "still running");
    const client = await connect(server.mcpUrl, deployer.key);
    assert.equal((await callEnvelope(client, "get_user", { user_id: "1" })).envelope.success, true);
    await client.close();
  });

  it("serves /metrics on METRICS_PORT only, behind its bearer token; /health and /ready stay open", async () => {
    const get = (url: string, headers: Record<string, string> = {}) =>
      fetch(url, { headers, signal: deadlineSignal(`GET ${url}`) });
    const main = server.mcpUrl.origin;
    assert.equal((await get(`${main}/metrics`)).status, 404, "no metrics on the MCP port");
    assert.equal((await get(`${main}/health`)).status, 200);
    assert.equal((await get(`${main}/ready`)).status, 200);
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const refused = await get(metricsUrl);
    assert.equal(refused.status, 401);
    assert.equal((await get(metricsUrl, { authorization: "Bearer wrong-token-0123456789" })).status, 401);
    const scraped = await get(metricsUrl, { authorization: `Bearer ${metricsToken}` });
    assert.equal(scraped.status, 200);
    const text = await scraped.text();
    assert.match(text, /^mcp_auth_failures_total\{reason="missing"\} [1-9]/m);
    assert.match(text, /^mcp_auth_failures_total\{reason="session_mismatch"\} 0/m);
    assert.equal((await get(`http://127.0.0.1:${metricsPort}/mcp`)).status, 404, "nothing but metrics there");
  });
});
