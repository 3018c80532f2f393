import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { VerifiedTokenCache } from "../../src/auth/verified-token-cache.js";

describe("VerifiedTokenCache", () => {
  it("keeps an entry until the token's expiry or the maximum age, whichever comes first", () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache<string>({ maxEntries: 10, maxAgeMs: 60_000, now: () => now });
    cache.set("short", "a", now + 5_000);
    cache.set("long", "b", now + 3_600_000);
    cache.set("expired", "c", now - 1);
    assert.equal(cache.get("expired"), undefined, "an expired token is never kept");
    now += 4_999;
    assert.equal(cache.get("short"), "a");
    now += 1;
    assert.equal(cache.get("short"), undefined, "gone at its exp");
    now += 55_000;
    assert.equal(cache.get("long"), undefined, "gone after the maximum age");
  });

  it("drops the oldest entry when full", () => {
    const cache = new VerifiedTokenCache<number>({ maxEntries: 2, maxAgeMs: 60_000 });
    const later = Date.now() + 60_000;
    cache.set("one", 1, later);
    cache.set("two", 2, later);
    cache.set("three", 3, later);
    assert.equal(cache.size, 2);
    assert.equal(cache.get("one"), undefined);
    assert.equal(cache.get("three"), 3);
  });
});
