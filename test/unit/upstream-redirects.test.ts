import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { createUpstreamClient } from "../../src/backends/upstream/http-client.js";
import { MAX_REDIRECTS } from "../../src/backends/upstream/send-request.js";
import { classifiedRejection } from "../helpers/classified-rejection.js";
import { deadlineSignal } from "../helpers/deadline.js";
import { faults, startFaultServer, type FaultServer } from "../helpers/fault-server.js";

/**
 * Redirects from a loopback upstream whose base URL has a path (/api): followed only to a URL on
 * the same origin AND under that path, at most MAX_REDIRECTS hops. A refused redirect is a
 * bad_response and the target is never requested.
 */

describe("upstream redirects stay under the base path", () => {
  let upstream: FaultServer;

  before(async () => {
    upstream = await startFaultServer();
  });
  after(async () => {
    await upstream.close();
  });
  beforeEach(() => {
    upstream.on("*", faults.ok({ secret: true }));
    upstream.on("/api/new", faults.ok({ moved: true }));
  });

  const client = () =>
    createUpstreamClient({
      service: "test-api",
      baseUrl: `${upstream.url}/api`,
      timeoutMs: 2_000,
      maxBodyBytes: 64 * 1024,
      retry: { maxRetries: 0, baseDelayMs: 5, jitter: "none" },
      breaker: { consecutiveFailures: 100, halfOpenAfterMs: 1000 },
    });

  /** Requests that reached a path outside /api/. */
  const outside = () => upstream.requests.filter((request) => !request.pathname.startsWith("/api/")).length;

  it("follows a redirect under the base path", async () => {
    upstream.on("/api/old", faults.redirect("/api/new"));
    const result = await client().getJson("old", { signal: deadlineSignal("a followed redirect") });
    assert.deepEqual(result.body, { moved: true });
    assert.equal(result.url, `${upstream.url}/api/new`);
  });

  for (const location of [
    "/secret/keys",
    "/",
    "/apix/keys",
    "/api/../secret",
    "/api/%2e%2e/secret",
    "/api/..%2fsecret",
    "/api/%2E%2E%5Csecret",
    "../secret",
  ]) {
    it(`refuses a same-origin redirect to ${location}: bad_response, nothing outside requested`, async () => {
      const before = outside();
      upstream.on("/api/old", faults.redirect(location));
      const error = await classifiedRejection(
        client().getJson("old", { signal: deadlineSignal(`the redirect to ${location}`) }),
      );
      assert.equal(error.type, "external_service_error");
      assert.equal(error.details.kind, "bad_response");
      assert.equal(outside(), before, "no request left the base path");
    });
  }

  it(`follows ${MAX_REDIRECTS} hops and refuses the next`, async () => {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++)
      upstream.on(`/api/hop${hop}`, faults.redirect(`/api/hop${hop + 1}`));
    upstream.on(`/api/hop${MAX_REDIRECTS}`, faults.ok({ arrived: true }));
    const result = await client().getJson("hop0", { signal: deadlineSignal("a chain of redirects") });
    assert.deepEqual(result.body, { arrived: true });
    upstream.on(`/api/hop${MAX_REDIRECTS}`, faults.redirect(`/api/hop${MAX_REDIRECTS + 1}`));
    const error = await classifiedRejection(
      client().getJson("hop0", { signal: deadlineSignal("a redirect loop") }),
    );
    assert.equal(error.details.kind, "bad_response");
    assert.equal(upstream.count(`/api/hop${MAX_REDIRECTS + 1}`), 0, "the hop past the limit was not made");
  });
});
