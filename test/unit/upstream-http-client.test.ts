import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import {
  createUpstreamClient,
  type UpstreamClientOptions,
  type UpstreamRequestEvent,
} from "../../src/backends/upstream/http-client.js";
import { closedPort, faults, startFaultServer, type FaultServer } from "../helpers/fault-server.js";
import { classifiedRejection } from "../helpers/classified-rejection.js";

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

interface Harness {
  readonly events: UpstreamRequestEvent[];
  readonly sleeps: number[];
}

function client(baseUrl: string, overrides: Partial<UpstreamClientOptions> = {}, harness?: Harness) {
  return createUpstreamClient({
    service: "test-api",
    baseUrl,
    timeoutMs: 2_000,
    maxBodyBytes: 64 * 1024,
    retry: { maxRetries: 1, baseDelayMs: 5, jitter: "none" },
    breaker: { consecutiveFailures: 100, halfOpenAfterMs: 1000 },
    onRequest: (event) => harness?.events.push(event),
    sleep: async (ms) => {
      harness?.sleeps.push(ms);
      await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5)));
    },
    ...overrides,
  });
}

const signal = () => new AbortController().signal;

describe("upstream client over loopback HTTP", () => {
  let server: FaultServer;
  let harness: Harness;

  beforeEach(async () => {
    server = await startFaultServer();
    harness = { events: [], sleeps: [] };
  });
  afterEach(async () => {
    await server.close();
  });

  it("returns status, headers and parsed JSON on 200, and counts a success", async () => {
    const s = server;
    s.on("/v1/things", faults.ok({ ok: true }, { "x-test": "yes" }));
    const result = await client(s.url, {}, harness).getJson("v1/things", {
      signal: signal(),
      query: { a: 1, b: "x y", c: undefined },
    });
    assert.equal(result.status, 200);
    assert.deepEqual(result.body, { ok: true });
    assert.equal(result.headers.get("x-test"), "yes");
    assert.equal(s.requests[0]?.target, "/v1/things?a=1&b=x+y");
    assert.deepEqual(
      harness.events.map((e) => [e.service, e.outcome, e.attempt, e.status]),
      [["test-api", "success", 1, 200]],
    );
  });

  it("sends the configured headers (NWS rejects requests without a User-Agent)", async () => {
    const s = server;
    s.on("/", faults.ok({}));
    await client(s.url, { headers: { "user-agent": "resilient-mcp-test (ops@example.com)" } }).getJson("", {
      signal: signal(),
    });
    assert.equal(s.requests[0]?.headers["user-agent"], "resilient-mcp-test (ops@example.com)");
    assert.equal(s.requests[0].headers.accept, "application/json");
  });

  it("429 with Retry-After seconds: rate_limited with that wait, never retried", async () => {
    const s = server;
    s.on("/limited", faults.rateLimited(7));
    const error = await classifiedRejection(
      client(s.url, {}, harness).getJson("limited", { signal: signal() }),
    );
    assert.equal(error.type, "rate_limited");
    assert.equal(error.retryAfterSeconds, 7);
    assert.equal(error.details.service, "test-api");
    assert.equal(error.details.status_code, 429);
    assert.equal(s.count("/limited"), 1);
    assert.deepEqual(
      harness.events.map((e) => [e.outcome, e.willRetry]),
      [["rate_limited", false]],
    );
  });

  it("429 without Retry-After is not retried either", async () => {
    const s = server;
    s.on("/limited", faults.rateLimited());
    const error = await classifiedRejection(
      client(s.url, {}, harness).getJson("limited", { signal: signal() }),
    );
    assert.equal(error.type, "rate_limited");
    assert.equal(error.retryAfterSeconds, undefined);
    assert.equal(s.count("/limited"), 1);
    assert.deepEqual(harness.sleeps, []);
  });

  it("429 with an HTTP-date Retry-After: seconds from the injected clock", async () => {
    const s = server;
    s.on("/limited", faults.rateLimited(new Date(NOW + 120_000)));
    const error = await classifiedRejection(
      client(s.url, { now: () => NOW }).getJson("limited", { signal: signal() }),
    );
    assert.equal(error.type, "rate_limited");
    assert.equal(error.retryAfterSeconds, 120);
  });

  it("500: server_error, not retried", async () => {
    const s = server;
    s.on("/boom", faults.status(500));
    const error = await classifiedRejection(client(s.url).getJson("boom", { signal: signal() }));
    assert.equal(error.type, "external_service_error");
    assert.equal(error.details.kind, "server_error");
    assert.equal(error.details.status_code, 500);
    assert.equal(error.retryable, true);
    assert.equal(s.count("/boom"), 1);
  });

  for (const status of [502, 503, 504]) {
    it(`${status}: retried exactly once, then server_error`, async () => {
      const s = server;
      s.on("/gateway", faults.status(status));
      const error = await classifiedRejection(
        client(s.url, {}, harness).getJson("gateway", { signal: signal() }),
      );
      assert.equal(error.details.kind, "server_error");
      assert.equal(error.details.status_code, status);
      assert.equal(s.count("/gateway"), 2);
      assert.deepEqual(
        harness.events.map((e) => [e.attempt, e.outcome, e.willRetry]),
        [
          [1, "server_error", true],
          [2, "server_error", false],
        ],
      );
      assert.deepEqual(harness.sleeps, [5]);
    });
  }

  it("a flapping 503 that recovers is hidden by the one retry", async () => {
    const s = server;
    s.on("/flappy", faults.flapping(1, faults.unavailable(), faults.ok({ recovered: true })));
    const result = await client(s.url, {}, harness).getJson("flappy", { signal: signal() });
    assert.deepEqual(result.body, { recovered: true });
    assert.deepEqual(
      harness.events.map((e) => e.outcome),
      ["server_error", "success"],
    );
  });

  it("a flapping service that fails twice is not hidden: one retry only", async () => {
    const s = server;
    s.on("/flappy", faults.flapping(2, faults.unavailable(), faults.ok({})));
    const error = await classifiedRejection(client(s.url).getJson("flappy", { signal: signal() }));
    assert.equal(error.details.kind, "server_error");
    assert.equal(s.count("/flappy"), 2);
  });

  it("503 with a Retry-After inside the budget: waits what the service asked, then retries", async () => {
    const s = server;
    s.on("/busy", faults.flapping(1, faults.unavailable(2), faults.ok({ done: true })));
    const result = await client(s.url, { timeoutMs: 3000 }, harness).getJson("busy", { signal: signal() });
    assert.deepEqual(result.body, { done: true });
    assert.deepEqual(harness.sleeps, [2000]);
  });

  it("503 with a Retry-After beyond the budget: surfaced as retry_after_seconds, not slept", async () => {
    const s = server;
    s.on("/busy", faults.unavailable(60));
    const error = await classifiedRejection(client(s.url, {}, harness).getJson("busy", { signal: signal() }));
    assert.equal(error.type, "external_service_error");
    assert.equal(error.details.kind, "server_error");
    assert.equal(error.retryAfterSeconds, 60);
    assert.equal(s.count("/busy"), 1);
    assert.deepEqual(harness.sleeps, []);
  });

  for (const status of [400, 404]) {
    it(`${status}: client_error, not retryable, not retried`, async () => {
      const s = server;
      s.on("/nope", faults.status(status));
      const error = await classifiedRejection(client(s.url).getJson("nope", { signal: signal() }));
      assert.equal(error.type, "external_service_error");
      assert.equal(error.details.kind, "client_error");
      assert.equal(error.details.status_code, status);
      assert.equal(error.retryable, false);
      assert.equal(s.count("/nope"), 1);
    });
  }

  it("no answer within timeoutMs: timeout, retried once, bounded by the budget", async () => {
    const s = server;
    s.on("/slow", faults.slow(5000));
    const started = performance.now();
    const error = await classifiedRejection(
      client(s.url, { timeoutMs: 150 }, harness).getJson("slow", { signal: signal() }),
    );
    const elapsed = performance.now() - started;
    assert.equal(error.type, "external_service_error");
    assert.equal(error.details.kind, "timeout");
    assert.equal(s.count("/slow"), 2);
    assert.ok(elapsed < 3000, `took ${elapsed} ms`);
    assert.deepEqual(
      harness.events.map((e) => e.outcome),
      ["timeout", "timeout"],
    );
  });

  it("a body that stalls after the headers also times out", async () => {
    const s = server;
    s.on("/stall", faults.slowBody(5000));
    const error = await classifiedRejection(
      client(s.url, { timeoutMs: 150 }).getJson("stall", { signal: signal() }),
    );
    assert.equal(error.details.kind, "timeout");
  });

  it("the caller's abort is a cancellation, not a timeout, and is not retried", async () => {
    const s = server;
    s.on("/slow", faults.slow(5000));
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 50);
    const error = await classifiedRejection(
      client(s.url, { timeoutMs: 2000 }, harness).getJson("slow", { signal: controller.signal }),
    );
    assert.equal(error.type, "cancelled");
    assert.equal(s.count("/slow"), 1);
    assert.deepEqual(
      harness.events.map((e) => e.outcome),
      ["cancelled"],
    );
  });

  it("a caller abort with a custom reason is still a cancellation", async () => {
    const s = server;
    s.on("/slow", faults.slow(5000));
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort(new Error("client sent notifications/cancelled"));
    }, 30);
    const error = await classifiedRejection(client(s.url).getJson("slow", { signal: controller.signal }));
    assert.equal(error.type, "cancelled");
  });

  it("a caller's own deadline (AbortSignal.timeout) stays the caller's timeout, not the service's", async () => {
    const s = server;
    s.on("/slow", faults.slow(5000));
    const error = await classifiedRejection(
      client(s.url, { timeoutMs: 2000 }, harness).getJson("slow", { signal: AbortSignal.timeout(50) }),
    );
    assert.equal(error.type, "timeout");
    assert.equal(error.details.service, undefined);
    assert.equal(s.count("/slow"), 1);
    assert.deepEqual(
      harness.events.map((e) => e.outcome),
      ["cancelled"],
    );
  });

  it("an already-aborted caller signal makes no request", async () => {
    const s = server;
    s.on("/x", faults.ok({}));
    const error = await classifiedRejection(client(s.url).getJson("x", { signal: AbortSignal.abort() }));
    assert.equal(error.type, "cancelled");
    assert.equal(s.count(), 0);
  });

  it("a caller abort during the retry wait stops the call", async () => {
    const s = server;
    s.on("/busy", faults.unavailable(1));
    const controller = new AbortController();
    const upstream = client(s.url, { timeoutMs: 3000, sleep: undefined });
    const call = upstream.getJson("busy", { signal: controller.signal });
    setTimeout(() => {
      controller.abort();
    }, 100);
    const error = await classifiedRejection(call);
    assert.equal(error.type, "cancelled");
    assert.equal(s.count("/busy"), 1);
  });

  it("a connection reset: connection_failed, retried once", async () => {
    const s = server;
    s.on("/reset", faults.reset());
    const error = await classifiedRejection(client(s.url).getJson("reset", { signal: signal() }));
    assert.equal(error.type, "external_service_error");
    assert.equal(error.details.kind, "connection_failed");
    assert.equal(s.count("/reset"), 2);
  });

  it("a reset on the first request only is hidden by the retry (faults queued for the next request)", async () => {
    const s = server;
    s.on("/data", faults.ok({ second: "try" }));
    s.next(faults.reset());
    const result = await client(s.url, {}, harness).getJson("data", { signal: signal() });
    assert.deepEqual(result.body, { second: "try" });
    assert.deepEqual(
      harness.events.map((e) => [e.attempt, e.outcome, e.willRetry]),
      [
        [1, "connection_failed", true],
        [2, "success", false],
      ],
    );
  });

  it("a socket closed without an answer: connection_failed", async () => {
    const s = server;
    s.on("/gone", faults.destroy());
    const error = await classifiedRejection(client(s.url).getJson("gone", { signal: signal() }));
    assert.equal(error.details.kind, "connection_failed");
  });

  it("a refused connection: connection_failed, retried once", async () => {
    const port = await closedPort();
    const error = await classifiedRejection(
      client(`http://127.0.0.1:${port}`, {}, harness).getJson("x", { signal: signal() }),
    );
    assert.equal(error.type, "external_service_error");
    assert.equal(error.details.kind, "connection_failed");
    assert.deepEqual(
      harness.events.map((e) => [e.attempt, e.outcome]),
      [
        [1, "connection_failed"],
        [2, "connection_failed"],
      ],
    );
  });

  it("invalid JSON on 200: bad_response, not retried", async () => {
    const s = server;
    s.on("/garbage", faults.invalidJson());
    const error = await classifiedRejection(
      client(s.url, {}, harness).getJson("garbage", { signal: signal() }),
    );
    assert.equal(error.type, "external_service_error");
    assert.equal(error.details.kind, "bad_response");
    assert.equal(error.retryable, false);
    assert.equal(s.count("/garbage"), 1);
    assert.deepEqual(
      harness.events.map((e) => e.outcome),
      ["bad_response"],
    );
  });

  it("an HTML error page on 200 is a bad_response too", async () => {
    const s = server;
    s.on("/html", {
      kind: "text",
      status: 200,
      body: "<html>maintenance</html>",
      headers: { "content-type": "text/html" },
    });
    const error = await classifiedRejection(client(s.url).getJson("html", { signal: signal() }));
    assert.equal(error.details.kind, "bad_response");
  });

  it("follows a redirect on the same origin", async () => {
    const s = server;
    s.on("/old", faults.redirect("/new"));
    s.on("/new", faults.ok({ moved: true }));
    const result = await client(s.url).getJson("old", { signal: signal() });
    assert.deepEqual(result.body, { moved: true });
    assert.equal(result.url, `${s.url}/new`);
  });

  it("refuses a redirect to another origin: bad_response, the other host never called", async () => {
    const s = server;
    const other = await startFaultServer();
    try {
      other.on("/steal", faults.ok({ stolen: true }));
      s.on("/old", faults.redirect(`${other.url}/steal`));
      const error = await classifiedRejection(client(s.url).getJson("old", { signal: signal() }));
      assert.equal(error.details.kind, "bad_response");
      assert.equal(other.count(), 0);
    } finally {
      await other.close();
    }
  });
});
