import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import {
  createUpstreamClient,
  type UpstreamClientOptions,
  type UpstreamRequestEvent,
} from "../../src/backends/upstream/http-client.js";
import { closedPort, faults, startFaultServer, type FaultServer } from "../helpers/fault-server.js";
import { classifiedRejection } from "../helpers/classified-rejection.js";

/** A clock the test moves by hand: the breaker half-opens when it says so, not when real time passes. */
class FakeClock {
  ms = Date.UTC(2025, 0, 15, 12, 0, 0);
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

const signal = () => new AbortController().signal;

describe("upstream circuit breaker", () => {
  let server: FaultServer;
  let clock: FakeClock;
  let events: UpstreamRequestEvent[];

  const client = (overrides: Partial<UpstreamClientOptions> = {}) =>
    createUpstreamClient({
      service: "flaky-api",
      baseUrl: server.url,
      timeoutMs: 2_000,
      maxBodyBytes: 4096,
      // No internal retry here, so N calls are N failures and the counts are exact.
      retry: { maxRetries: 0, baseDelayMs: 0, jitter: "none" },
      breaker: { consecutiveFailures: 3, halfOpenAfterMs: 10_000 },
      now: clock.now,
      onRequest: (event) => events.push(event),
      ...overrides,
    });

  beforeEach(async () => {
    server = await startFaultServer();
    clock = new FakeClock();
    events = [];
  });
  afterEach(async () => {
    await server.close();
  });

  it("opens after N consecutive failures, then fails fast with circuit_open and the wait until half-open", async () => {
    server.on("/data", faults.status(500));
    const upstream = client();
    for (let i = 0; i < 3; i++) await classifiedRejection(upstream.getJson("data", { signal: signal() }));
    assert.equal(upstream.circuitState(), "open");
    assert.equal(server.count("/data"), 3);

    clock.advance(4_000);
    const error = await classifiedRejection(upstream.getJson("data", { signal: signal() }));
    assert.equal(error.type, "external_service_error");
    assert.equal(error.details.kind, "circuit_open");
    assert.equal(error.details.service, "flaky-api");
    assert.equal(error.retryAfterSeconds, 6);
    assert.equal(error.retryable, true);
    assert.equal(server.count("/data"), 3, "an open circuit makes no request");
    assert.equal(events.at(-1)?.outcome, "circuit_open");
  });

  it("the failure that opens the circuit already says how long to wait", async () => {
    server.on("/data", faults.status(500));
    const upstream = client();
    await classifiedRejection(upstream.getJson("data", { signal: signal() }));
    await classifiedRejection(upstream.getJson("data", { signal: signal() }));
    const third = await classifiedRejection(upstream.getJson("data", { signal: signal() }));
    assert.equal(third.details.kind, "server_error");
    assert.equal(third.retryAfterSeconds, 10);
  });

  it("half-opens after the configured time and closes when the probe succeeds", async () => {
    server.on("/data", faults.status(503));
    const upstream = client();
    for (let i = 0; i < 3; i++) await classifiedRejection(upstream.getJson("data", { signal: signal() }));
    clock.advance(9_999);
    assert.equal(upstream.circuitState(), "open");
    clock.advance(1);
    assert.equal(upstream.circuitState(), "half_open");

    server.on("/data", faults.ok({ back: true }));
    const result = await upstream.getJson("data", { signal: signal() });
    assert.deepEqual(result.body, { back: true });
    assert.equal(upstream.circuitState(), "closed");
    assert.equal(server.count("/data"), 4);
  });

  it("reports half_open while the probe is in flight; other calls wait for its verdict", async () => {
    server.on("/data", faults.status(500));
    const upstream = client();
    for (let i = 0; i < 3; i++) await classifiedRejection(upstream.getJson("data", { signal: signal() }));
    clock.advance(10_000);
    server.on("/data", faults.slow(150, faults.ok({ probe: "passed" })));
    const probe = upstream.getJson("data", { signal: signal() });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(upstream.circuitState(), "half_open");
    const waiting = upstream.getJson("data", { signal: signal() });
    assert.deepEqual((await probe).body, { probe: "passed" });
    assert.deepEqual((await waiting).body, { probe: "passed" });
    assert.equal(upstream.circuitState(), "closed");
  });

  it("with the default clock, half-opens after real time has passed", async () => {
    server.on("/data", faults.status(500));
    const upstream = client({ now: undefined, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 100 } });
    await classifiedRejection(upstream.getJson("data", { signal: signal() }));
    assert.equal(
      (await classifiedRejection(upstream.getJson("data", { signal: signal() }))).details.kind,
      "circuit_open",
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(upstream.circuitState(), "half_open");
    server.on("/data", faults.ok({}));
    await upstream.getJson("data", { signal: signal() });
    assert.equal(upstream.circuitState(), "closed");
  });

  it("a failed probe reopens the circuit for another full wait", async () => {
    server.on("/data", faults.status(500));
    const upstream = client();
    for (let i = 0; i < 3; i++) await classifiedRejection(upstream.getJson("data", { signal: signal() }));
    clock.advance(10_000);
    const probe = await classifiedRejection(upstream.getJson("data", { signal: signal() }));
    assert.equal(probe.details.kind, "server_error");
    assert.equal(server.count("/data"), 4);
    assert.equal(upstream.circuitState(), "open");
    const refused = await classifiedRejection(upstream.getJson("data", { signal: signal() }));
    assert.equal(refused.details.kind, "circuit_open");
    assert.equal(refused.retryAfterSeconds, 10);
  });

  it("timeouts and refused connections count as failures too", async () => {
    server.on("/slow", faults.slow(5_000));
    const upstream = client({ timeoutMs: 50 });
    for (let i = 0; i < 3; i++) {
      assert.equal(
        (await classifiedRejection(upstream.getJson("slow", { signal: signal() }))).details.kind,
        "timeout",
      );
    }
    assert.equal(upstream.circuitState(), "open");

    const refusedClient = client({ baseUrl: `http://127.0.0.1:${await closedPort()}` });
    for (let i = 0; i < 3; i++) await classifiedRejection(refusedClient.getJson("x", { signal: signal() }));
    assert.equal(refusedClient.circuitState(), "open");
  });

  it("4xx, 429 and unreadable bodies mean the service is up: they never open the circuit", async () => {
    server.on("/missing", faults.status(404));
    server.on("/limited", faults.rateLimited(1));
    server.on("/garbage", faults.invalidJson());
    const upstream = client();
    for (let i = 0; i < 4; i++) {
      await classifiedRejection(upstream.getJson("missing", { signal: signal() }));
      await classifiedRejection(upstream.getJson("limited", { signal: signal() }));
      await classifiedRejection(upstream.getJson("garbage", { signal: signal() }));
    }
    assert.equal(upstream.circuitState(), "closed");
  });

  it("a success resets the count of consecutive failures", async () => {
    server.on("/data", faults.status(500));
    server.on("/ok", faults.ok({}));
    const upstream = client();
    for (let i = 0; i < 2; i++) await classifiedRejection(upstream.getJson("data", { signal: signal() }));
    await upstream.getJson("ok", { signal: signal() });
    for (let i = 0; i < 2; i++) await classifiedRejection(upstream.getJson("data", { signal: signal() }));
    assert.equal(upstream.circuitState(), "closed");
  });

  it("caller cancellations never open the circuit", async () => {
    server.on("/slow", faults.slow(5_000));
    const upstream = client({ timeoutMs: 2_000 });
    for (let i = 0; i < 4; i++) {
      const controller = new AbortController();
      setTimeout(() => {
        controller.abort();
      }, 20);
      const error = await classifiedRejection(upstream.getJson("slow", { signal: controller.signal }));
      assert.equal(error.type, "cancelled");
    }
    assert.equal(upstream.circuitState(), "closed");
  });

  it("a probe the caller cancels proves nothing: the circuit stays open", async () => {
    server.on("/data", faults.status(500));
    const upstream = client({ timeoutMs: 2_000 });
    for (let i = 0; i < 3; i++) await classifiedRejection(upstream.getJson("data", { signal: signal() }));
    clock.advance(10_000);
    server.on("/data", faults.slow(5_000));
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 20);
    assert.equal(
      (await classifiedRejection(upstream.getJson("data", { signal: controller.signal }))).type,
      "cancelled",
    );
    assert.equal(upstream.circuitState(), "open");
  });

  it("when the first failure opens the circuit, the internal retry is skipped", async () => {
    server.on("/data", faults.status(503));
    const upstream = client({
      retry: { maxRetries: 1, baseDelayMs: 0, jitter: "none" },
      breaker: { consecutiveFailures: 1, halfOpenAfterMs: 5_000 },
    });
    const error = await classifiedRejection(upstream.getJson("data", { signal: signal() }));
    assert.equal(error.details.kind, "server_error");
    assert.equal(error.retryAfterSeconds, 5);
    assert.equal(server.count("/data"), 1);
  });

  it("each client has its own breaker", async () => {
    server.on("/data", faults.status(500));
    server.on("/other", faults.ok({ fine: true }));
    const broken = client();
    const healthy = client({ service: "other-api" });
    for (let i = 0; i < 3; i++) await classifiedRejection(broken.getJson("data", { signal: signal() }));
    assert.equal(broken.circuitState(), "open");
    assert.equal(healthy.circuitState(), "closed");
    assert.deepEqual((await healthy.getJson("other", { signal: signal() })).body, { fine: true });
  });
});
