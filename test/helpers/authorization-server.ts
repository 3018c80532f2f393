import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import Provider, { errors } from "oidc-provider";
import { BASE_SCOPE, PRODUCT_PERMISSIONS } from "../../src/auth/permissions.js";
import { deadlineSignal } from "./deadline.js";

/** Every scope the test authorization server issues. */
export const ALL_SCOPES = [BASE_SCOPE, ...PRODUCT_PERMISSIONS].join(" ");

/** A confidential client that gets tokens with the client-credentials grant. */
export interface TestClient {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface AuthorizationServer {
  readonly issuer: string;
  /** A machine client allowed every scope. */
  readonly agent: TestClient;
  /** A client whose tokens live 1 second (for expired-token tests). */
  readonly shortLived: TestClient;
  /** A client-credentials token for `resource` with `scope`, fetched from the token endpoint. */
  token(client: TestClient, options: { resource: string; scope: string }): Promise<string>;
  /** The private signing key, to forge tokens that only differ in their signer. */
  readonly signingKey: JWK;
  close(): Promise<void>;
}

/**
 * oidc-provider (a certified OpenID provider) on 127.0.0.1, issuing JWT access tokens for the
 * resource servers in `resources` (RFC 8707 resource indicators), with client credentials,
 * dynamic client registration (or `publicClients` registered up front) and its development login
 * pages for the authorization-code flow.
 */
export async function startAuthorizationServer(
  resources: readonly string[],
  options: { readonly publicClients?: readonly { clientId: string; redirectUri: string }[] } = {},
): Promise<AuthorizationServer> {
  const http: Server = createServer();
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signingKey = {
    ...(await exportJWK(privateKey)),
    kid: `test-${randomBytes(4).toString("hex")}`,
    alg: "RS256",
    use: "sig",
  };
  const agent = { clientId: "mcp-agent", clientSecret: randomBytes(24).toString("hex") };
  const shortLived = { clientId: "short-lived", clientSecret: randomBytes(24).toString("hex") };
  const machine = (client: TestClient) => ({
    client_id: client.clientId,
    client_secret: client.clientSecret,
    grant_types: ["client_credentials"],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: "client_secret_basic" as const,
    scope: ALL_SCOPES,
  });

  const provider = new Provider(issuer, {
    clients: [
      machine(agent),
      machine(shortLived),
      ...(options.publicClients ?? []).map((client) => ({
        client_id: client.clientId,
        redirect_uris: [client.redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code" as const],
        token_endpoint_auth_method: "none" as const,
        scope: ALL_SCOPES,
      })),
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(16).toString("hex")] },
    scopes: ["openid", ...ALL_SCOPES.split(" ")],
    pkce: { required: () => true },
    features: {
      clientCredentials: { enabled: true },
      registration: { enabled: true },
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? resources[0] ?? "",
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          if (!resources.includes(resourceIndicator)) throw new errors.InvalidTarget();
          return {
            scope: ALL_SCOPES,
            audience: resourceIndicator,
            accessTokenFormat: "jwt",
            jwt: { sign: { alg: "RS256" } },
          };
        },
      },
    },
    ttl: {
      ClientCredentials: (_ctx, _token, client) => (client.clientId === shortLived.clientId ? 1 : 600),
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 600,
      Interaction: 600,
      Session: 600,
      IdToken: 600,
    },
  });
  const handle = provider.callback();
  http.on("request", (req, res) => {
    void handle(req, res);
  });

  return {
    issuer,
    agent,
    shortLived,
    signingKey,
    async token(client, { resource, scope }) {
      const response = await fetch(`${issuer}/token`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ grant_type: "client_credentials", resource, scope }),
        signal: deadlineSignal(`token from ${issuer}`),
      });
      const body = (await response.json()) as { access_token?: string; error?: string };
      if (body.access_token === undefined) throw new Error(`no token: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    async close() {
      await new Promise<void>((resolve) => {
        http.close(() => {
          resolve();
        });
        http.closeAllConnections();
      });
    },
  };
}
