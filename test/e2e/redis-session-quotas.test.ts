import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import pino from "pino";
import { startRedis, type RedisInstance } from "../../scripts/cluster/redis-instance.js";
import { RedisSessionQuotas } from "../../src/cluster/redis-session-quotas.js";
import { pollUntil } from "../helpers/deadline.js";

/** The session shares in a real redis-server, as two replicas (two connections) use them. */
describe("session shares in Redis", { timeout: 60_000 }, () => {
  let server: RedisInstance;
  let connections: [Redis, Redis];

  before(async () => {
    server = await startRedis();
    const connect = () => new Redis(server.url, { maxRetriesPerRequest: 0, enableOfflineQueue: false });
    connections = [connect(), connect()];
    await pollUntil("both connections ready", () =>
      Promise.resolve(connections.every((redis) => redis.status === "ready") ? true : undefined),
    );
  });

  after(async () => {
    for (const redis of connections) redis.disconnect();
    await server?.stop();
  });

  const quotasOn = (redis: Redis, ttlMs = 60_000) =>
    new RedisSessionQuotas({ redis, prefix: "test:", ttlMs, logger: pino({ level: "silent" }) });

  it("20 initializes at once through two replicas take exactly the caller's 5 slots", async () => {
    const [a, b] = [quotasOn(connections[0]), quotasOn(connections[1])];
    const decisions = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        (index % 2 === 0 ? a : b).acquire("principal:racer", `s-${String(index)}`, 5),
      ),
    );
    assert.equal(decisions.filter((decision) => decision.acquired).length, 5);
    const refused = decisions.find((decision) => !decision.acquired);
    assert.ok(
      refused !== undefined && !refused.acquired && refused.freesInMs !== undefined,
      "a refusal says when",
    );
    assert.ok(refused.freesInMs > 0 && refused.freesInMs <= 60_000, String(refused.freesInMs));
  });

  it("a slot ended on one replica is free on the other; another caller's slots are its own", async () => {
    const [a, b] = [quotasOn(connections[0]), quotasOn(connections[1])];
    assert.equal((await a.acquire("principal:one", "x", 1)).acquired, true);
    assert.equal((await b.acquire("principal:one", "y", 1)).acquired, false);
    assert.equal((await b.acquire("principal:two", "z", 1)).acquired, true);
    a.ended("principal:one", "x");
    await pollUntil("the ended slot to be free on the other replica", async () =>
      (await b.acquire("principal:one", "y", 1)).acquired ? true : undefined,
    );
  });

  it("a slot that is renewed outlives its idle timeout; one left alone expires", async () => {
    const quotas = quotasOn(connections[0], 1500);
    assert.equal((await quotas.acquire("principal:renewing", "kept", 1)).acquired, true);
    assert.equal((await quotas.acquire("principal:idle", "left", 1)).acquired, true);
    for (let beat = 0; beat < 8; beat++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      quotas.renew("principal:renewing", "kept");
    }
    // 2.4 s after both were taken, renewed every 0.3 s: the idle one expired, the renewed one still holds its slot.
    assert.equal((await quotas.acquire("principal:idle", "new", 1)).acquired, true);
    assert.equal((await quotas.acquire("principal:renewing", "new", 1)).acquired, false);
  });

  it("Redis unreachable: each replica holds the caller to its share in its own memory", async () => {
    const unreachable = new Redis("redis://127.0.0.1:1", {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    try {
      const quotas = quotasOn(unreachable);
      assert.equal((await quotas.acquire("principal:offline", "a", 2)).acquired, true);
      assert.equal((await quotas.acquire("principal:offline", "b", 2)).acquired, true);
      assert.equal((await quotas.acquire("principal:offline", "c", 2)).acquired, false);
      quotas.ended("principal:offline", "a");
      assert.equal((await quotas.acquire("principal:offline", "c", 2)).acquired, true);
    } finally {
      unreachable.disconnect();
    }
  });
});
