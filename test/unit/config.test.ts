import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "../../config/load.js";
import { configSchema } from "../../config/schema.js";

describe("loadConfig", () => {
  it("applies the documented defaults to an empty environment and freezes the result", () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.logLevel, "info");
    assert.equal(config.sessionMode, "stateful");
    assert.equal(config.conformanceFixtures, false);
    assert.deepEqual(config.allowedHosts, ["localhost", "127.0.0.1", "[::1]"]);
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.allowedOrigins));
  });

  it("reads every variable and normalises lists", () => {
    const config = loadConfig({
      PORT: "8080",
      HOST: "0.0.0.0",
      LOG_LEVEL: "debug",
      MCP_SESSION_MODE: "stateless",
      MCP_CONFORMANCE_FIXTURES: "TRUE",
      ALLOWED_HOSTS: "mcp.example.com, localhost:8080 ,",
      ALLOWED_ORIGINS: "https://App.Example.com:8443",
      SESSION_IDLE_TIMEOUT_MS: "60000",
      MAX_SESSIONS: "5",
      SHUTDOWN_GRACE_MS: "0",
    });
    assert.equal(config.port, 8080);
    assert.equal(config.sessionMode, "stateless");
    assert.equal(config.conformanceFixtures, true);
    assert.deepEqual(config.allowedHosts, ["mcp.example.com", "localhost:8080"]);
    assert.deepEqual(config.allowedOrigins, ["https://app.example.com:8443"]);
    assert.equal(config.maxSessions, 5);
    assert.equal(config.shutdownGraceMs, 0);
  });

  it("treats blank values as unset", () => {
    assert.equal(loadConfig({ PORT: "  " }).port, 3000);
  });

  it("names every bad variable, with what it expects, in one error", () => {
    assert.throws(
      () =>
        loadConfig({
          PORT: "70000",
          LOG_LEVEL: "loud",
          MCP_CONFORMANCE_FIXTURES: "maybe",
          ALLOWED_ORIGINS: "ftp://files.example.com",
          MAX_BODY_BYTES: "-1",
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 5);
        assert.match(error.message, /PORT="70000": expected a whole number from 0 to 65535/);
        assert.match(error.message, /LOG_LEVEL="loud": expected one of/);
        assert.match(error.message, /MCP_CONFORMANCE_FIXTURES="maybe": expected "true" or "false"/);
        assert.match(error.message, /ALLOWED_ORIGINS="ftp:\/\/files.example.com": expected origins/);
        assert.match(error.message, /MAX_BODY_BYTES="-1"/);
        return true;
      },
    );
  });

  it("ignores variables it does not know", () => {
    assert.doesNotThrow(() => loadConfig({ PATH: "/usr/bin", SOMETHING_ELSE: "x" }));
    assert.ok(!("PATH" in configSchema.shape));
  });
});
