/**
 * What the test page runs in chromium: the official SDK client, bundled for the browser by
 * test/e2e/browser-client.test.ts. Each probe returns plain data the test reads back through
 * page.evaluate; nothing here is trusted to judge itself.
 */
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "page", version: "1" } },
};

/** A raw POST without credentials: what the page can read of the refusal. */
async function probeUnauthenticated(mcpUrl: string) {
  const response = await fetch(mcpUrl, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify(initialize),
  });
  return {
    status: response.status,
    wwwAuthenticate: response.headers.get("www-authenticate"),
    body: await response.json(),
  };
}

/** The SDK client with a bearer key: connects, calls a tool, reads its session id, ends the session. */
async function connectWithKey(mcpUrl: string, key: string) {
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
  });
  const client = new Client({ name: "browser-page", version: "1.0.0" });
  await client.connect(transport);
  const result = await client.callTool({ name: "get_user", arguments: { user_id: "1" } });
  const sessionId = transport.sessionId;
  await transport.terminateSession();
  await client.close();
  return { sessionId, structured: result.structuredContent };
}

/** The SDK client with an OAuth provider: from the 401 to the authorization URL it would open. */
async function startOAuth(mcpUrl: string, clientId: string, redirectUrl: string) {
  let opened: string | undefined;
  let tokens: OAuthTokens | undefined;
  let verifier = "";
  const provider: OAuthClientProvider = {
    redirectUrl,
    clientMetadata: { redirect_uris: [redirectUrl], token_endpoint_auth_method: "none" },
    clientInformation: () => ({ client_id: clientId }),
    tokens: () => tokens,
    saveTokens: (saved) => {
      tokens = saved;
    },
    saveCodeVerifier: (value) => {
      verifier = value;
    },
    codeVerifier: () => verifier,
    redirectToAuthorization: (url) => {
      opened = url.href;
    },
  };
  const client = new Client({ name: "browser-page-oauth", version: "1.0.0" });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }));
    return { opened, error: "connected without signing in" };
  } catch (error) {
    return { opened, error: error instanceof UnauthorizedError ? "UnauthorizedError" : String(error) };
  }
}

/** A POST from this page's origin; an origin the server does not allow cannot even read the refusal. */
async function postFromHere(mcpUrl: string) {
  try {
    const response = await fetch(mcpUrl, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify(initialize),
    });
    return { readable: true, status: response.status };
  } catch (error) {
    return { readable: false, error: String(error) };
  }
}

const mcpPage = { probeUnauthenticated, connectWithKey, startOAuth, postFromHere };
/** The probes, as the test calls them through page.evaluate. */
export type McpPage = typeof mcpPage;
Object.assign(globalThis, { mcpPage });
