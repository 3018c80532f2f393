import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { hashApiKey, newApiKey, newKeyId } from "../src/auth/api-key.js";
import { writeKeyFile } from "../src/auth/key-file.js";
import { getUserFound, prepareTarget, resilient } from "./scenarios.js";
import type { ServerFleet } from "./servers.js";
import { measureAlternating, warmUp, type Contender, type Series, type SeriesOptions } from "./throughput.js";

/** Labels of the authentication series; ratios are taken against the first. */
export const AUTH_LABELS = {
  anonymous: "no credentials",
  apiKey: "API key",
  jwt: "JWT access token",
} as const;

/** The token audience the JWT server is configured with; nothing is served there. */
const AUDIENCE = "https://bench.invalid/mcp";

/**
 * A loopback stand-in for an authorization server: metadata and a JWKS with one RS256 key. It
 * is asked once per server start (the verifier caches the keys), never per request.
 */
async function startIssuer(): Promise<{ issuer: string; token: string; server: Server }> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "bench", alg: "RS256", use: "sig" };
  const server = createServer((req, res) => {
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (req.url === "/.well-known/oauth-authorization-server") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    } else if (req.url === "/jwks") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const token = await new SignJWT({ scope: "mcp", client_id: "bench" })
    .setProtectedHeader({ alg: "RS256", kid: "bench", typ: "at+jwt" })
    .setIssuer(issuer)
    .setAudience(AUDIENCE)
    .setSubject("bench-user")
    .setIssuedAt()
    .setExpirationTime("2h")
    .sign(privateKey);
  return { issuer, token, server };
}

/**
 * The authenticated paths against the unauthenticated one, at `options.connections`: one product
 * server with API keys and OAuth configured (and AUTH_ALLOW_ANONYMOUS=true, so that the same
 * process serves the baseline), called with get_user on three sets of sessions — without
 * credentials, with an API key, with a JWT. One process for all three keeps the comparison to
 * the authentication path itself, not to two processes' luck on a shared machine.
 */
export async function measureAuthentication(
  fleet: ServerFleet,
  options: SeriesOptions & { readonly warmupSeconds: number },
): Promise<Series> {
  const folder = mkdtempSync(join(tmpdir(), "resilient-mcp-bench-keys-"));
  const issuer = await startIssuer();
  try {
    const keysFile = join(folder, "api-keys.json");
    const id = newKeyId();
    const key = newApiKey(id);
    await writeKeyFile(keysFile, {
      keys: [{ id, sha256: hashApiKey(key), principal: "bench", permissions: [] }],
    });
    const server = await fleet.start({
      ...resilient,
      label: "resilient-mcp with API keys and OAuth",
      env: {
        AUTH_API_KEYS_FILE: keysFile,
        AUTH_ISSUER: issuer.issuer,
        AUTH_AUDIENCE: AUDIENCE,
        PUBLIC_URL: "http://127.0.0.1",
        AUTH_ALLOW_ANONYMOUS: "true",
      },
    });
    const contender = async (label: string, headers: Record<string, string>): Promise<Contender> => ({
      label,
      target: await prepareTarget(server, options.connections, headers),
      call: getUserFound,
      logBytes: () => server.logBytes(),
      cpuSeconds: () => server.cpuSeconds(),
    });
    const contenders = [
      await contender(AUTH_LABELS.anonymous, {}),
      await contender(AUTH_LABELS.apiKey, { authorization: `Bearer ${key}` }),
      await contender(AUTH_LABELS.jwt, { authorization: `Bearer ${issuer.token}` }),
    ];
    await warmUp(contenders, options.warmupSeconds, options.connections);
    const series = await measureAlternating("authentication", contenders, options);
    await server.stop();
    return series;
  } finally {
    issuer.server.close();
    issuer.server.closeAllConnections();
    rmSync(folder, { recursive: true, force: true });
  }
}
