import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { startRedis, type RedisInstance } from "../../scripts/cluster/redis-instance.js";
import { McpHttpSession, readAnswer, toolCallRequest } from "../helpers/mcp-http-session.js";
import { spawnServer, type ServerProcess } from "../helpers/server-process.js";

/**
 * Two server processes sharing one real redis-server, reached directly (no load balancer): the
 * session record, the SSE history and its bounds, as another replica sees them.
 */
describe("sessions shared in Redis between two processes", { timeout: 90_000 }, () => {
  let redisServer: RedisInstance;
  let redis: Redis;
  let a: ServerProcess;
  let b: ServerProcess;

  before(async () => {
    redisServer = await startRedis();
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    const env = {
      REDIS_URL: redisServer.url,
      MCP_CONFORMANCE_FIXTURES: "true",
      MCP_STREAM_AFTER_MS: "0",
      SSE_EVENT_HISTORY_BYTES: "2048",
    };
    [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
  });

  after(async () => {
    a?.child.kill("SIGKILL");
    b?.child.kill("SIGKILL");
    await Promise.all([a?.exited(), b?.exited()]);
    redis?.disconnect();
    await redisServer?.stop();
  });

  it("records who opened the session, the negotiated version and the client's capabilities", async () => {
    const session = await McpHttpSession.open(a.mcpUrl, { capabilities: { elicitation: {} } });
    const record = await redis.hgetall(`mcp:session:${session.id}`);
    assert.equal(record.protocolVersion, "2025-11-25");
    assert.deepEqual(JSON.parse(record.clientCapabilities ?? "null"), { elicitation: {} });
    assert.equal(JSON.parse(record.clientInfo ?? "null").name, "fetch-test");
    assert.ok(record.owner !== undefined && record.owner !== "", "the owner is recorded");
    const ttl = await redis.pttl(`mcp:session:${session.id}`);
    assert.ok(ttl > 0, `the record expires (pttl ${ttl})`);
  });

  it("a stream cut on one process is resumed with Last-Event-ID on the other, which delivers the result", async () => {
    const session = await McpHttpSession.open(a.mcpUrl);
    const cut = await readAnswer(await session.post(toolCallRequest(5, "test_reconnection")));
    const primed = cut.events.find((event) => event.id !== undefined);
    assert.ok(primed?.id !== undefined, `the call's stream was primed with an event id: ${cut.text}`);
    assert.ok(!cut.messages.some((message) => message.id === 5), "the result did not come on the cut stream");
    const onB = session.on(b.mcpUrl);
    const resumed = await readAnswer(await onB.resume(primed.id));
    assert.equal(resumed.status, 200, resumed.text);
    const result = resumed.messages.find((message) => message.id === 5);
    assert.match(JSON.stringify(result?.result), /delivered on resume/);
  });

  it("keeps each session's history under SSE_EVENT_HISTORY_BYTES, the newest event always kept", async () => {
    const session = await McpHttpSession.open(a.mcpUrl);
    for (let id = 1; id <= 12; id += 1) {
      const answer = await readAnswer(await session.post(toolCallRequest(id, "test_tool_with_logging")));
      assert.equal(answer.status, 200, answer.text);
    }
    const bytes = Number(await redis.get(`mcp:event-bytes:${session.id}`));
    const entries = await redis.xrange(`mcp:events:${session.id}`, "-", "+");
    const stored = entries.reduce((sum, [, fields]) => sum + Buffer.byteLength(fields[3] ?? ""), 0);
    assert.ok(entries.length > 0, "the newest events are kept");
    assert.ok(stored <= 2048, `history holds ${stored} bytes, over the 2048 bound`);
    // Lua's # counts bytes, as Buffer.byteLength does: the running total is exact.
    assert.equal(bytes, stored);
  });

  it("a session ended on one process is unknown on the other", async () => {
    const session = await McpHttpSession.open(a.mcpUrl);
    const onB = session.on(b.mcpUrl);
    assert.equal(
      (await readAnswer(await onB.post({ jsonrpc: "2.0", id: 1, method: "tools/list" }))).status,
      200,
    );
    assert.equal((await session.delete()).status, 200);
    const after = await readAnswer(await onB.post({ jsonrpc: "2.0", id: 2, method: "tools/list" }));
    assert.equal(after.status, 404, after.text);
  });
});
