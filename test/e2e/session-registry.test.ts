import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { startRedis, type RedisInstance } from "../../scripts/cluster/redis-instance.js";
import { RedisSessionRegistry } from "../../src/cluster/redis-session-registry.js";
import {
  MemorySessionRegistry,
  SessionRegistryUnavailableError,
  type SessionRecord,
  type SessionRegistry,
} from "../../src/mcp/session-registry.js";

function record(sessionId: string): SessionRecord {
  return {
    sessionId,
    owner: "principal:alice",
    protocolVersion: "2025-11-25",
    clientCapabilities: { elicitation: { form: {} } },
    clientInfo: { name: "registry-test", version: "1.2.3" },
    createdAt: 1_000,
    lastSeen: 1_000,
  };
}

/** The same contract for both registries: what one replica saves, every replica finds. */
function registryContract(name: string, registry: () => SessionRegistry) {
  describe(`${name} session registry`, () => {
    it("finds what was saved, field for field", async () => {
      await registry().save(record("s-1"), 60_000);
      assert.deepEqual(await registry().find("s-1"), record("s-1"));
      assert.equal(await registry().find("never-saved"), undefined);
    });

    it("touch renews a live session and reports a gone one", async () => {
      await registry().save(record("s-2"), 60_000);
      assert.equal(await registry().touch("s-2", 5_000, 60_000), true);
      assert.equal((await registry().find("s-2"))?.lastSeen, 5_000);
      assert.equal(await registry().touch("never-saved", 5_000, 60_000), false);
    });

    it("forgets a removed session", async () => {
      await registry().save(record("s-3"), 60_000);
      await registry().remove("s-3");
      assert.equal(await registry().find("s-3"), undefined);
      assert.equal(await registry().touch("s-3", 6_000, 60_000), false);
    });

    it("expires a session not touched within its time to live", async () => {
      await registry().save(record("s-4"), 150);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(await registry().find("s-4"), undefined);
    });
  });
}

const memory = new MemorySessionRegistry();
registryContract("in-memory", () => memory);

describe("Redis", () => {
  let server: RedisInstance;
  let client: Redis;
  let redisRegistry: RedisSessionRegistry;

  before(async () => {
    server = await startRedis();
    client = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
    await client.connect();
    redisRegistry = new RedisSessionRegistry(client, "test:");
  });

  after(async () => {
    client?.disconnect();
    await server?.stop();
  });

  registryContract("Redis", () => redisRegistry);

  it("answers SessionRegistryUnavailableError at once when Redis is gone, not a hang", async () => {
    await server.stop();
    const started = Date.now();
    await assert.rejects(redisRegistry.touch("s-1", 1, 1000), SessionRegistryUnavailableError);
    assert.ok(Date.now() - started < 2000, "failed fast");
  });
});
