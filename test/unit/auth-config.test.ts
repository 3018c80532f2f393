import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "../../config/load.js";
import { anonymousAllowed, authStartupProblems, isLoopbackHost } from "../../src/auth/exposure.js";

describe("auth configuration", () => {
  it("defaults: nothing configured, anonymous read-only, metrics on the MCP port without a token", () => {
    const config = loadConfig({});
    assert.deepEqual(config.auth, {
      apiKeysFile: undefined,
      oauth: undefined,
      publicUrl: undefined,
      allowAnonymous: false,
      anonymous: { id: "anonymous", permissions: [] },
    });
    assert.deepEqual(config.metricsEndpoint, { port: undefined, bearerToken: undefined });
    assert.ok(Object.isFrozen(config.auth) && Object.isFrozen(config.auth.anonymous.permissions));
  });

  it("OAuth: the audience defaults to PUBLIC_URL + /mcp, the issuer is kept verbatim", () => {
    const config = loadConfig({
      AUTH_ISSUER: "https://auth.example.com/",
      PUBLIC_URL: "https://mcp.example.com/",
      AUTH_JWT_ALGORITHMS: "ES256, RS256",
    });
    assert.deepEqual(config.auth.oauth, {
      issuer: "https://auth.example.com/",
      audience: "https://mcp.example.com/mcp",
      algorithms: ["ES256", "RS256"],
      clockToleranceSeconds: 30,
    });
    assert.equal(
      loadConfig({ AUTH_ISSUER: "https://a.example", AUTH_AUDIENCE: "api://mcp" }).auth.oauth?.audience,
      "api://mcp",
    );
  });

  it("names every bad auth variable", () => {
    assert.throws(
      () =>
        loadConfig({
          AUTH_ISSUER: "not a url",
          AUTH_JWT_ALGORITHMS: "HS256",
          AUTH_ALLOW_ANONYMOUS: "sometimes",
          ANONYMOUS_PERMISSIONS: "Deploy Production",
          METRICS_BEARER_TOKEN: "short",
          METRICS_PORT: "70000",
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const named = error.problems.map((problem) => problem.split("=")[0]);
        assert.deepEqual([...new Set(named)].sort(), [
          "ANONYMOUS_PERMISSIONS",
          "AUTH_ALLOW_ANONYMOUS",
          "AUTH_ISSUER",
          "AUTH_JWT_ALGORITHMS",
          "METRICS_BEARER_TOKEN",
          "METRICS_PORT",
        ]);
        return true;
      },
    );
  });
});

describe("secure by default", () => {
  it("knows loopback bind addresses", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"]) {
      assert.equal(isLoopbackHost(host), true, host);
    }
    for (const host of ["0.0.0.0", "::", "192.168.1.10", "mcp.example.com", "128.0.0.1"]) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });

  it("serves anonymous callers on loopback only, unless told otherwise; never beside keys unless told", () => {
    const auth = (env: Record<string, string>) => loadConfig(env).auth;
    assert.equal(anonymousAllowed(auth({}), "127.0.0.1"), true);
    assert.equal(anonymousAllowed(auth({}), "0.0.0.0"), false);
    assert.equal(anonymousAllowed(auth({ AUTH_ALLOW_ANONYMOUS: "true" }), "0.0.0.0"), true);
    assert.equal(anonymousAllowed(auth({ AUTH_API_KEYS_FILE: "keys.json" }), "127.0.0.1"), false);
    assert.equal(
      anonymousAllowed(auth({ AUTH_API_KEYS_FILE: "keys.json", AUTH_ALLOW_ANONYMOUS: "1" }), "0.0.0.0"),
      true,
    );
  });

  it("refuses to start on a public bind with nobody to authenticate, and OAuth without PUBLIC_URL", () => {
    const auth = (env: Record<string, string>) => loadConfig(env).auth;
    assert.deepEqual(authStartupProblems(auth({}), "127.0.0.1"), []);
    const [exposed] = authStartupProblems(auth({}), "0.0.0.0");
    assert.match(exposed ?? "", /^refusing to serve anonymous callers on HOST=0\.0\.0\.0/);
    assert.deepEqual(authStartupProblems(auth({ AUTH_API_KEYS_FILE: "keys.json" }), "0.0.0.0"), []);
    assert.deepEqual(authStartupProblems(auth({ AUTH_ALLOW_ANONYMOUS: "true" }), "0.0.0.0"), []);
    const [oauth] = authStartupProblems(auth({ AUTH_ISSUER: "https://auth.example.com" }), "0.0.0.0");
    assert.match(oauth ?? "", /^AUTH_ISSUER is set but PUBLIC_URL is not/);
    assert.deepEqual(
      authStartupProblems(
        auth({ AUTH_ISSUER: "https://auth.example.com", PUBLIC_URL: "https://mcp.example.com" }),
        "0.0.0.0",
      ),
      [],
    );
  });
});
