import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { SignJWT, exportJWK, generateKeyPair, type JWK } from "jose";
import { createJwtVerifier, type JwtVerifierOptions } from "../../src/auth/jwt-verifier.js";

type SigningKey = Parameters<SignJWT["sign"]>[0];

interface Key {
  readonly kid: string;
  readonly privateKey: SigningKey;
  readonly publicJwk: JWK;
}

async function newKey(kid: string, alg = "RS256"): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

/**
 * A loopback stand-in for an authorization server: its metadata and its JWKS, which a test can
 * change (key rotation), break, or count the fetches of.
 */
class FakeIssuer {
  keys: Key[] = [];
  metadataIssuer: string | undefined;
  down = false;
  jwksFetches = 0;
  private readonly http: Server;
  issuer = "";

  constructor() {
    this.http = createServer((req, res) => {
      if (this.down) {
        res.writeHead(503).end();
        return;
      }
      if (req.url === "/.well-known/oauth-authorization-server") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ issuer: this.metadataIssuer ?? this.issuer, jwks_uri: `${this.issuer}/jwks` }),
        );
        return;
      }
      if (req.url === "/jwks") {
        this.jwksFetches += 1;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ keys: this.keys.map((key) => key.publicJwk) }));
        return;
      }
      res.writeHead(404).end();
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.http.listen(0, "127.0.0.1", resolve));
    this.issuer = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.http.close(() => {
        resolve();
      });
      this.http.closeAllConnections();
    });
  }

  sign(
    key: Key,
    claims: Record<string, unknown>,
    options: { alg?: string; exp?: number; nbf?: number } = {},
  ) {
    const now = Math.floor(Date.now() / 1000);
    let jwt = new SignJWT({ scope: "mcp deploy.staging", ...claims })
      .setProtectedHeader({ alg: options.alg ?? "RS256", kid: key.kid, typ: "at+jwt" })
      .setIssuer(this.issuer)
      .setAudience(AUDIENCE)
      .setSubject("alice")
      .setIssuedAt()
      .setExpirationTime(options.exp ?? now + 300);
    if (options.nbf !== undefined) jwt = jwt.setNotBefore(options.nbf);
    return jwt.sign(key.privateKey);
  }
}

const AUDIENCE = "https://mcp.example.com/mcp";

/** "accepted", or why the token was refused. */
function reasonOf(verdict: { ok: true } | { ok: false; reason: string }): string {
  return verdict.ok ? "accepted" : verdict.reason;
}

describe("JWT verifier (jose, remote JWKS)", () => {
  const as = new FakeIssuer();
  let first: Key;
  const verifier = (overrides: Partial<JwtVerifierOptions> = {}) =>
    createJwtVerifier({
      issuer: as.issuer,
      audience: AUDIENCE,
      algorithms: ["RS256", "ES256"],
      clockToleranceSeconds: 30,
      timeoutMs: 2000,
      jwksCooldownMs: 0,
      retryDiscoveryAfterMs: 100,
      // Every test verifies for real unless it is about the cache.
      verifiedCacheMs: 0,
      ...overrides,
    });

  before(async () => {
    await as.start();
    first = await newKey("first");
    as.keys = [first];
  });
  after(async () => {
    await as.close();
  });

  it("accepts a valid token: subject, client and scopes (space-separated or an scp array)", async () => {
    const verify = verifier();
    const spaced = await verify.verify(await as.sign(first, { client_id: "agent" }));
    assert.deepEqual(spaced, {
      ok: true,
      subject: "alice",
      clientId: "agent",
      scopes: new Set(["mcp", "deploy.staging"]),
    });
    const listed = await verify.verify(
      await as.sign(first, { scope: undefined, scp: ["mcp", "records.import"] }),
    );
    assert.ok(listed.ok && listed.scopes.has("records.import"));
  });

  it("verifies tokens without a network round trip: the key set is fetched once", async () => {
    const verify = verifier();
    const before = as.jwksFetches;
    for (let index = 0; index < 20; index += 1) {
      assert.equal((await verify.verify(await as.sign(first, {}))).ok, true);
    }
    assert.equal(as.jwksFetches - before, 1);
  });

  it("remembers a verified token: answered again without its key, until the cache time is over", async () => {
    const rotating = await newKey("rotating");
    as.keys = [first, rotating];
    const token = await as.sign(rotating, {});
    // Key sets that go stale at once, so that withdrawing the key is seen on the next check.
    const cached = verifier({ verifiedCacheMs: 60_000, jwksMaxAgeMs: 1 });
    const uncached = verifier({ jwksMaxAgeMs: 1 });
    try {
      assert.equal((await cached.verify(token)).ok, true);
      assert.equal((await uncached.verify(token)).ok, true);
      as.keys = [first];
      await sleep(5);
      assert.equal(reasonOf(await uncached.verify(token)), "invalid", "verified for real, the key is gone");
      assert.equal((await cached.verify(token)).ok, true, "the same token is answered from the cache");
    } finally {
      as.keys = [first];
    }
  });

  it("follows key rotation: a token with a new key id fetches the key set again", async () => {
    const verify = verifier();
    assert.equal((await verify.verify(await as.sign(first, {}))).ok, true);
    const second = await newKey("second");
    as.keys = [second, first];
    try {
      assert.equal((await verify.verify(await as.sign(second, {}))).ok, true, "the rotated-in key is found");
      assert.equal((await verify.verify(await as.sign(first, {}))).ok, true, "the old key still verifies");
    } finally {
      as.keys = [first];
    }
  });

  it("refuses expired and not-yet-valid tokens beyond the clock tolerance, and accepts within it", async () => {
    const verify = verifier({ clockToleranceSeconds: 30 });
    const now = Math.floor(Date.now() / 1000);
    const stale = await verify.verify(await as.sign(first, {}, { exp: now - 60 }));
    assert.equal(reasonOf(stale), "expired");
    assert.equal(
      (await verify.verify(await as.sign(first, {}, { exp: now - 10 }))).ok,
      true,
      "10 s of skew is tolerated",
    );
    const early = await verify.verify(await as.sign(first, {}, { nbf: now + 120 }));
    assert.equal(reasonOf(early), "invalid");
  });

  it("refuses a token for another audience or from another issuer", async () => {
    const verify = verifier();
    const other = await verify.verify(
      await new SignJWT({ scope: "mcp" })
        .setProtectedHeader({ alg: "RS256", kid: first.kid })
        .setIssuer(as.issuer)
        .setAudience("https://elsewhere.example/api")
        .setSubject("alice")
        .setExpirationTime("5m")
        .sign(first.privateKey),
    );
    assert.equal(reasonOf(other), "wrong_audience");
    const foreign = await verify.verify(
      await new SignJWT({ scope: "mcp" })
        .setProtectedHeader({ alg: "RS256", kid: first.kid })
        .setIssuer("https://impostor.example")
        .setAudience(AUDIENCE)
        .setSubject("alice")
        .setExpirationTime("5m")
        .sign(first.privateKey),
    );
    assert.equal(reasonOf(foreign), "invalid");
  });

  it("pins algorithms: an HMAC token or an unlisted algorithm is refused", async () => {
    const verify = verifier({ algorithms: ["ES256"] });
    const rs256 = await verify.verify(await as.sign(first, {}));
    assert.equal(reasonOf(rs256), "invalid");
    const hmac = await new SignJWT({ scope: "mcp" })
      .setProtectedHeader({ alg: "HS256", kid: first.kid })
      .setIssuer(as.issuer)
      .setAudience(AUDIENCE)
      .setSubject("alice")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode("a shared secret an attacker picked"));
    const refused = await verifier().verify(hmac);
    assert.equal(reasonOf(refused), "invalid");
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${Buffer.from(JSON.stringify({ iss: as.issuer, aud: AUDIENCE, sub: "x", exp: 9e9, scope: "mcp" })).toString("base64url")}.`;
    const none = await verifier().verify(unsigned);
    assert.equal(reasonOf(none), "invalid");
  });

  it("refuses a token that names neither a subject nor a client", async () => {
    const token = await new SignJWT({ scope: "mcp" })
      .setProtectedHeader({ alg: "RS256", kid: first.kid })
      .setIssuer(as.issuer)
      .setAudience(AUDIENCE)
      .setExpirationTime("5m")
      .sign(first.privateKey);
    const verdict = await verifier().verify(token);
    assert.equal(reasonOf(verdict), "invalid");
  });

  it("is unavailable (not the client's fault) while the authorization server is down, and recovers", async () => {
    const token = await as.sign(first, {});
    as.down = true;
    const verify = verifier();
    try {
      const verdict = await verify.verify(token);
      assert.equal(reasonOf(verdict), "unavailable");
      assert.equal(await verify.warmUp(), false);
    } finally {
      as.down = false;
    }
    await sleep(150);
    assert.equal((await verify.verify(token)).ok, true, "discovery is tried again after the retry interval");
  });

  it("refuses metadata that speaks for another issuer (RFC 8414 §3.3)", async () => {
    as.metadataIssuer = "https://impostor.example";
    try {
      const verdict = await verifier().verify(await as.sign(first, {}));
      assert.equal(reasonOf(verdict), "unavailable");
      assert.match(verdict.ok ? "" : verdict.detail, /names issuer "https:\/\/impostor\.example"/);
    } finally {
      as.metadataIssuer = undefined;
    }
  });
});
