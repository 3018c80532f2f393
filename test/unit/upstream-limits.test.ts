import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import type { ToolError } from "../../src/errors/tool-error.js";
import { createUpstreamClient, type UpstreamClientOptions } from "../../src/backends/upstream/http-client.js";
import { normaliseBaseUrl, resolveUpstreamUrl } from "../../src/backends/upstream/upstream-url.js";
import { faults, startFaultServer, type FaultServer } from "../helpers/fault-server.js";
import { classifiedRejection } from "../helpers/classified-rejection.js";

/** The message of the UpstreamError behind a classified error (what the log shows). */
function classifiedCause(error: ToolError): string {
  return error.cause instanceof Error ? error.cause.message : "";
}

const signal = () => new AbortController().signal;
const CAP = 8 * 1024;

describe("upstream response size cap", () => {
  let server: FaultServer;
  const client = (overrides: Partial<UpstreamClientOptions> = {}) =>
    createUpstreamClient({
      service: "big-api",
      baseUrl: server.url,
      timeoutMs: 2_000,
      maxBodyBytes: CAP,
      retry: { maxRetries: 1, baseDelayMs: 0, jitter: "none" },
      breaker: { consecutiveFailures: 5, halfOpenAfterMs: 1_000 },
      ...overrides,
    });

  beforeEach(async () => {
    server = await startFaultServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it("accepts a body of exactly the cap", async () => {
    const body = JSON.stringify("x".repeat(CAP - 2));
    server.on("/fits", { kind: "text", status: 200, body });
    const result = await client().getJson("fits", { signal: signal() });
    assert.equal((result.body as string).length, CAP - 2);
  });

  it("refuses a declared Content-Length over the cap without reading it: bad_response, not retried", async () => {
    server.on("/big", faults.oversized(10 * 1024 * 1024, "honest"));
    const error = await classifiedRejection(client().getJson("big", { signal: signal() }));
    assert.equal(error.type, "external_service_error");
    assert.equal(error.details.kind, "bad_response");
    assert.match(classifiedCause(error), /declares 10485760 bytes, over the 8192-byte limit/);
    assert.equal(server.count("/big"), 1);
    await server.idle();
    assert.equal(server.requests[0]?.state, "aborted", "the client hung up instead of downloading 10 MiB");
  });

  it("stops a chunked body (no Content-Length) as soon as it passes the cap", async () => {
    server.on("/stream", faults.oversized(50 * 1024 * 1024, "absent"));
    const started = performance.now();
    const error = await classifiedRejection(client().getJson("stream", { signal: signal() }));
    assert.equal(error.details.kind, "bad_response");
    await server.idle();
    assert.equal(server.requests[0]?.state, "aborted");
    assert.ok(performance.now() - started < 3_000);
  });

  it("a lying Content-Length cannot smuggle in a bigger body: what arrives is cut and refused", async () => {
    const body = JSON.stringify({ data: "y".repeat(CAP * 4) });
    server.on("/liar", faults.lyingLength(100, body));
    const error = await classifiedRejection(client().getJson("liar", { signal: signal() }));
    assert.equal(error.details.kind, "bad_response");
  });

  it("counts decompressed bytes, so a small gzip body that inflates past the cap is refused", async () => {
    const inflated = JSON.stringify({ data: "z".repeat(CAP * 8) });
    const compressed = gzipSync(inflated);
    assert.ok(compressed.length < CAP);
    server.on("/bomb", {
      kind: "text",
      status: 200,
      body: compressed,
      headers: { "content-encoding": "gzip", "content-type": "application/json" },
    });
    const error = await classifiedRejection(client().getJson("bomb", { signal: signal() }));
    assert.equal(error.details.kind, "bad_response");
    assert.match(classifiedCause(error), /limit/);
  });

  it("a body that does not decompress is a bad_response, not a network failure", async () => {
    server.on("/corrupt", {
      kind: "text",
      status: 200,
      body: "definitely not gzip",
      headers: { "content-encoding": "gzip", "content-type": "application/json" },
    });
    const error = await classifiedRejection(client().getJson("corrupt", { signal: signal() }));
    assert.equal(error.details.kind, "bad_response");
    assert.equal(server.count("/corrupt"), 1);
  });
});

describe("upstream path joining", () => {
  let server: FaultServer;
  beforeEach(async () => {
    server = await startFaultServer();
    server.on("*", faults.ok({ hit: true }));
  });
  afterEach(async () => {
    await server.close();
  });

  const client = () =>
    createUpstreamClient({
      service: "scoped-api",
      baseUrl: `${server.url}/api/v1`,
      timeoutMs: 1_000,
      maxBodyBytes: 4096,
      retry: { maxRetries: 0, baseDelayMs: 0, jitter: "none" },
      breaker: { consecutiveFailures: 5, halfOpenAfterMs: 1_000 },
    });

  const escapes: readonly [string, string][] = [
    ["absolute URL", "http://169.254.169.254/latest/meta-data"],
    ["absolute URL to another scheme", "file:///etc/passwd"],
    ["protocol-relative URL", "//evil.example.com/x"],
    ["climbing above the base path", "../../admin"],
    ["climbing after a segment", "users/../../../admin"],
    ["percent-encoded dots", "%2e%2e/%2E%2E/admin"],
    ["mixed encoded dots", ".%2e/admin"],
    ["encoded slash", "..%2f..%2fadmin"],
    ["backslash", "..\\..\\admin"],
    ["CRLF header injection", "users\r\nHost: evil.example.com"],
    ["bare LF", "users\nx"],
    ["NUL", "users\u0000.json"],
    ["tab (silently stripped by URL parsers)", "us\ters"],
    ["fragment", "users#x"],
    ["too long", "a/".repeat(2000)],
  ];

  for (const [name, path] of escapes) {
    it(`refuses ${name} with a validation_error and makes no request`, async () => {
      const error = await classifiedRejection(client().getJson(path, { signal: signal() }));
      assert.equal(error.type, "validation_error");
      assert.equal(error.details.field, "path");
      assert.match(error.message, /^Invalid path: /);
      assert.equal(server.count(), 0);
    });
  }

  it("refuses climbing above a root base path too, where the URL parser would hide it", async () => {
    const atRoot = createUpstreamClient({
      service: "root-api",
      baseUrl: server.url,
      timeoutMs: 1_000,
      maxBodyBytes: 4096,
      retry: { maxRetries: 0, baseDelayMs: 0, jitter: "none" },
      breaker: { consecutiveFailures: 5, halfOpenAfterMs: 1_000 },
    });
    for (const path of ["../admin", "/../admin", "%2e%2e/admin", "users/../../admin"]) {
      const error = await classifiedRejection(atRoot.getJson(path, { signal: signal() }));
      assert.equal(error.type, "validation_error", path);
      assert.match(error.message, /climbs above/, path);
    }
    assert.equal(server.count(), 0);
  });

  it("keeps every accepted path under the base path, on the base origin", async () => {
    const upstream = client();
    for (const path of ["users/42", "/users/42", "users/./42", "a/../users", "", "search?q=a b"]) {
      await upstream.getJson(path, { signal: signal() });
    }
    assert.deepEqual(
      server.requests.map((r) => r.target),
      [
        "/api/v1/users/42",
        "/api/v1/users/42",
        "/api/v1/users/42",
        "/api/v1/users",
        "/api/v1/",
        "/api/v1/search?q=a%20b",
      ],
    );
  });

  it("adds query parameters encoded, after any query in the path", () => {
    const base = normaliseBaseUrl("https://api.example.com/v1");
    const url = resolveUpstreamUrl(base, "search?x=1", { name: "São Paulo & co", count: 5, skip: undefined });
    assert.equal(url.href, "https://api.example.com/v1/search?x=1&name=S%C3%A3o+Paulo+%26+co&count=5");
  });

  it("rejects base URLs that cannot be a safe root", () => {
    assert.throws(() => normaliseBaseUrl("ftp://files.example.com"), TypeError);
    assert.throws(() => normaliseBaseUrl("https://user:pw@api.example.com"), TypeError);
    assert.throws(() => normaliseBaseUrl("https://api.example.com/v1?key=secret"), TypeError);
  });

  it("rejects bad client options at construction, naming each", () => {
    assert.throws(
      () =>
        createUpstreamClient({
          service: "Bad Name",
          baseUrl: "https://api.example.com",
          timeoutMs: 0,
          maxBodyBytes: -1,
          retry: { maxRetries: 5, baseDelayMs: 0, jitter: "none" },
          breaker: { consecutiveFailures: 0, halfOpenAfterMs: 1000 },
        }),
      (error: unknown) => {
        assert.ok(error instanceof TypeError);
        for (const part of ["service", "timeoutMs", "maxBodyBytes", "maxRetries", "consecutiveFailures"]) {
          assert.match(error.message, new RegExp(part));
        }
        return true;
      },
    );
  });
});
