import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ClientCredentialsProvider } from "@modelcontextprotocol/sdk/client/auth-extensions.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { SignJWT, generateKeyPair, importJWK } from "jose";
import {
  ALL_SCOPES,
  startAuthorizationServer,
  type AuthorizationServer,
} from "../helpers/authorization-server.js";
import { deadlineSignal, withDeadline } from "../helpers/deadline.js";
import { initializeBody, mcpHeaders } from "../helpers/mcp-requests.js";
import { HeadlessLoginProvider } from "../helpers/oauth-login.js";
import { startServerWithPublicUrl } from "../helpers/public-url-server.js";
import type { RunningServer } from "../helpers/test-server.js";
import { callEnvelope } from "../helpers/tool-calls.js";

const OTHER_AUDIENCE = "https://other.example/api";

type SigningKey = Parameters<SignJWT["sign"]>[0];

interface Answer {
  status: number;
  challenge: string | null;
  body: any;
}

/** POST initialize with a bearer token, as any client would; the answer's status, challenge and body. */
async function initializeWith(server: RunningServer, token: string): Promise<Answer> {
  const response = await fetch(server.mcpUrl, {
    method: "POST",
    headers: { ...mcpHeaders, authorization: `Bearer ${token}` },
    body: JSON.stringify(initializeBody()),
    signal: deadlineSignal("initialize with a bearer token"),
  });
  const text = await response.text();
  return {
    status: response.status,
    challenge: response.headers.get("www-authenticate"),
    body: response.headers.get("content-type")?.startsWith("application/json") ? JSON.parse(text) : text,
  };
}

async function authFailures(server: RunningServer): Promise<Record<string, number>> {
  const metric = await server.services.metrics.registry.getSingleMetric("mcp_auth_failures_total")?.get();
  return Object.fromEntries(
    (metric?.values ?? []).map((value) => [String(value.labels.reason), value.value]),
  );
}

describe("OAuth 2.1: this server as a resource server of oidc-provider", { timeout: 60_000 }, () => {
  let as: AuthorizationServer;
  let server: RunningServer;
  let audience: string;

  before(async () => {
    server = await startServerWithPublicUrl(async (publicUrl) => {
      audience = `${publicUrl}/mcp`;
      as = await startAuthorizationServer([audience, OTHER_AUDIENCE]);
      // No skew, so a token of one second is expired a second later.
      return { AUTH_ISSUER: as.issuer, AUTH_CLOCK_TOLERANCE_SECONDS: "0" };
    });
  });
  after(async () => {
    await server.close();
    await as.close();
  });

  it("serves RFC 9728 metadata naming the authorization server, the audience and the scopes", async () => {
    for (const path of [
      "/.well-known/oauth-protected-resource/mcp",
      "/.well-known/oauth-protected-resource",
    ]) {
      const response = await fetch(new URL(path, server.url), { signal: deadlineSignal(`GET ${path}`) });
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get("access-control-allow-origin"), "*", "readable by browser clients");
      const metadata = (await response.json()) as Record<string, unknown>;
      assert.equal(metadata.resource, audience);
      assert.deepEqual(metadata.authorization_servers, [as.issuer]);
      assert.deepEqual(metadata.bearer_methods_supported, ["header"]);
      assert.deepEqual(metadata.scopes_supported, ALL_SCOPES.split(" "));
    }
  });

  it("answers a call without credentials with 401 and a challenge that points at the metadata", async () => {
    const response = await fetch(server.mcpUrl, {
      method: "POST",
      headers: mcpHeaders,
      body: JSON.stringify(initializeBody()),
      signal: deadlineSignal("initialize without credentials"),
    });
    assert.equal(response.status, 401);
    assert.equal(
      response.headers.get("www-authenticate"),
      `Bearer resource_metadata="${server.url.origin}/.well-known/oauth-protected-resource/mcp", scope="mcp"`,
    );
    const body = (await response.json()) as any;
    assert.equal(body.jsonrpc, "2.0");
    assert.equal(body.error.data.reason, "missing");
    assert.match(body.error.data.suggestion, /Authorization: Bearer/);
  });

  it("the SDK client with client credentials runs the whole flow from the 401 and calls tools", async () => {
    const provider = new ClientCredentialsProvider({
      clientId: as.agent.clientId,
      clientSecret: as.agent.clientSecret,
      scope: "mcp deploy.staging",
      expectedIssuer: as.issuer,
    });
    const client = new Client({ name: "e2e-oauth-agent", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(server.mcpUrl, { authProvider: provider });
    await withDeadline("connect with client credentials", client.connect(transport));
    try {
      assert.ok(provider.tokens()?.access_token, "the provider holds a token from oidc-provider");
      const user = await callEnvelope(client, "get_user", { user_id: "1" });
      assert.equal(user.envelope.success, true);
      const staging = await callEnvelope(client, "deploy_application", {
        app_name: "web-frontend",
        environment: "staging",
      });
      assert.equal(staging.envelope.success, true, JSON.stringify(staging.envelope));
      const production = await callEnvelope(client, "deploy_application", {
        app_name: "web-frontend",
        environment: "production",
      });
      assert.equal(production.envelope.error.type, "permission_denied");
      assert.equal(production.envelope.error.required_permission, "deploy.production");
      assert.match(production.envelope.error.suggestion, /ask the user/i);

      const lines = server.logs.lines as any[];
      const unauthorized = lines.find(
        (line) => line.res?.statusCode === 401 && line.res?.auth_failure === "missing",
      );
      assert.ok(unauthorized, "the flow started from a 401");
      assert.ok(
        lines.some(
          (line) =>
            line.req?.url === "/.well-known/oauth-protected-resource/mcp" && line.res?.statusCode === 200,
        ),
        "the client read the protected-resource metadata",
      );
      const audit = lines.find((line) => line.audit === "write" && line.environment === "staging");
      assert.equal(audit?.principal, as.agent.clientId);
      assert.equal(audit?.auth, "oauth");
      assert.equal(audit?.outcome, "success");
      assert.equal(audit?.target, "application/web-frontend");
      const token = provider.tokens()?.access_token ?? "";
      assert.ok(!server.logs.raw.join("").includes(token), "the token never reaches the log");
    } finally {
      await client.close();
    }
  });

  it("the SDK client runs the authorization-code flow with PKCE (signed in headlessly)", async () => {
    const provider = new HeadlessLoginProvider("http://127.0.0.1:47/callback", "alice");
    const first = new StreamableHTTPClientTransport(server.mcpUrl, { authProvider: provider });
    const firstClient = new Client({ name: "e2e-oauth-user", version: "1.0.0" });
    await assert.rejects(
      withDeadline("connect before sign-in", firstClient.connect(first)),
      UnauthorizedError,
    );
    const [opened] = provider.opened;
    assert.equal(opened?.searchParams.get("resource"), audience, "the token is requested for this server");
    assert.equal(opened?.searchParams.get("code_challenge_method"), "S256");
    await first.finishAuth(await withDeadline("sign-in and redirect", provider.authorizationCode));
    await firstClient.close();

    const client = new Client({ name: "e2e-oauth-user", version: "1.0.0" });
    await withDeadline(
      "connect after sign-in",
      client.connect(new StreamableHTTPClientTransport(server.mcpUrl, { authProvider: provider })),
    );
    try {
      assert.equal((await callEnvelope(client, "get_user", { user_id: "2" })).envelope.success, true);
      const denied = await callEnvelope(client, "manage_project", {
        action: "create",
        project_name: "alices-project",
      });
      assert.equal(denied.envelope.error.type, "permission_denied");
      assert.equal(denied.envelope.error.required_permission, "project.create");
      const line = (server.logs.lines as any[]).find(
        (entry) =>
          entry.tool === "manage_project" && entry.reference_id === denied.envelope.error.reference_id,
      );
      assert.equal(line?.principal, "alice", "the signed-in user is the principal");
    } finally {
      await client.close();
    }
  });

  it("refuses a token issued for another audience: 401 invalid_token, counted as wrong_audience", async () => {
    const before = await authFailures(server);
    const answer = await initializeWith(
      server,
      await as.token(as.agent, { resource: OTHER_AUDIENCE, scope: ALL_SCOPES }),
    );
    assert.equal(answer.status, 401);
    assert.match(
      answer.challenge ?? "",
      /^Bearer error="invalid_token", error_description="the access token was not issued for this server", resource_metadata="/,
    );
    assert.equal(answer.body.error.data.reason, "wrong_audience");
    assert.equal((await authFailures(server)).wrong_audience, (before.wrong_audience ?? 0) + 1);
  });

  it("refuses an expired token: 401 invalid_token, counted as expired", async () => {
    const token = await as.token(as.shortLived, { resource: audience, scope: ALL_SCOPES });
    const exp = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()).exp as number;
    await sleep(Math.max(0, exp * 1000 - Date.now()) + 1100);
    const answer = await initializeWith(server, token);
    assert.equal(answer.status, 401);
    assert.match(
      answer.challenge ?? "",
      /error="invalid_token", error_description="the access token expired"/,
    );
    assert.equal(answer.body.error.data.reason, "expired");
    assert.match(answer.body.error.data.suggestion, /new access token/);
  });

  it("refuses a token signed by a key the authorization server does not publish", async () => {
    const claims = { scope: ALL_SCOPES, client_id: as.agent.clientId };
    const forge = async (key: SigningKey, kid: string) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid, typ: "at+jwt" })
        .setIssuer(as.issuer)
        .setAudience(audience)
        .setSubject("mallory")
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(key);
    const { privateKey } = await generateKeyPair("RS256");
    const unknownKid = await initializeWith(server, await forge(privateKey, "not-published"));
    assert.equal(unknownKid.status, 401);
    assert.match(
      unknownKid.challenge ?? "",
      /error="invalid_token", error_description="the access token is signed by an unknown key"/,
    );
    const stolenKid = await initializeWith(server, await forge(privateKey, String(as.signingKey.kid)));
    assert.equal(stolenKid.status, 401, "a known kid with another key fails the signature check");
    assert.equal(stolenKid.body.error.data.reason, "invalid");
    // The real key signs acceptably, so the refusals above were about the key alone.
    const genuine = await initializeWith(
      server,
      await forge(await importJWK(as.signingKey, "RS256"), String(as.signingKey.kid)),
    );
    assert.equal(genuine.status, 200);
  });

  it("refuses a token without the mcp scope: 403 insufficient_scope naming the scope", async () => {
    const answer = await initializeWith(
      server,
      await as.token(as.agent, { resource: audience, scope: "deploy.production" }),
    );
    assert.equal(answer.status, 403);
    assert.match(
      answer.challenge ?? "",
      /^Bearer error="insufficient_scope", error_description="the access token lacks the 'mcp' scope", resource_metadata="[^"]+", scope="mcp"$/,
    );
    assert.equal(answer.body.error.data.reason, "insufficient_scope");
    assert.ok(((await authFailures(server)).insufficient_scope ?? 0) >= 1);
  });

  it("a token without deploy.production gets the tool-level permission_denied naming it", async () => {
    const token = await as.token(as.agent, { resource: audience, scope: "mcp deploy.staging deploy.cancel" });
    const client = new Client({ name: "e2e-oauth-token", version: "1.0.0" });
    await withDeadline(
      "connect with a bearer token",
      client.connect(
        new StreamableHTTPClientTransport(server.mcpUrl, {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      ),
    );
    try {
      const { result, envelope } = await callEnvelope(client, "deploy_application", {
        app_name: "web-frontend",
        environment: "production",
      });
      assert.equal(result.isError, true);
      assert.equal(envelope.error.type, "permission_denied");
      assert.equal(envelope.error.required_permission, "deploy.production");
      assert.match(envelope.error.suggestion, /'deploy\.production'/);
    } finally {
      await client.close();
    }
  });
});
