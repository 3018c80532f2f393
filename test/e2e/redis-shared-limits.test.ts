import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startRedis, type RedisInstance } from "../../scripts/cluster/redis-instance.js";
import { createKey, keysFilePath } from "../helpers/api-keys.js";
import { pollUntil } from "../helpers/deadline.js";
import { McpHttpSession, readAnswer, type HttpAnswer } from "../helpers/mcp-http-session.js";
import { initializeBody, mcpHeaders } from "../helpers/mcp-requests.js";
import { counterValue } from "../helpers/network-envelope.js";
import { spawnServer, type ServerProcess } from "../helpers/server-process.js";

const ping = (id: number) => ({ jsonrpc: "2.0", id, method: "ping" });

/** A slot nobody renews (its replica died) frees after this idle timeout. */
const IDLE_TIMEOUT_MS = 4000;

/** Sends initialize as `key`'s principal, as a new client would; returns the raw answer. */
async function initialize(mcpUrl: URL, key: string): Promise<HttpAnswer> {
  return readAnswer(
    await fetch(mcpUrl, {
      method: "POST",
      headers: { ...mcpHeaders, Authorization: `Bearer ${key}` },
      body: JSON.stringify(initializeBody()),
      signal: AbortSignal.timeout(10_000),
    }),
  );
}

/**
 * Two server processes on one real redis-server, reached directly: a caller's request budget and
 * its session share are one across replicas, not one per replica.
 */
describe("rate limits and session shares counted in Redis across two processes", { timeout: 90_000 }, () => {
  let redisServer: RedisInstance;
  let a: ServerProcess;
  let b: ServerProcess;
  const keysFile = keysFilePath();
  const keys: Record<string, string> = {};
  let env: Record<string, string>;

  before(async () => {
    for (const name of ["flooder", "neighbour", "holder", "mover", "ghost", "outage"]) {
      keys[name] = (await createKey(keysFile, name)).key;
    }
    redisServer = await startRedis();
    env = {
      REDIS_URL: redisServer.url,
      AUTH_API_KEYS_FILE: keysFile,
      RATE_LIMIT_REQUESTS: "20",
      RATE_LIMIT_WINDOW_MS: "60000",
      MAX_SESSIONS_PER_PRINCIPAL: "2",
      SESSION_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS),
      REDIS_COMMAND_TIMEOUT_MS: "300",
    };
    [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
  });

  after(async () => {
    a?.child.kill("SIGKILL");
    b?.child.kill("SIGKILL");
    await Promise.all([a?.exited(), b?.exited()]);
    await redisServer?.stop();
  });

  const as = (name: string) => ({ Authorization: `Bearer ${keys[name] ?? ""}` });

  it("a caller over its request rate on A is refused on B too (429, Retry-After); another caller is not", async () => {
    const session = await McpHttpSession.open(a.mcpUrl, { headers: as("flooder") });
    const statuses: number[] = [];
    for (let id = 1; id <= 24 && !statuses.includes(429); id++) {
      statuses.push((await readAnswer(await session.post(ping(id)))).status);
    }
    assert.ok(statuses.includes(429), `A never refused the flooder: ${statuses.join(",")}`);
    const onB = await readAnswer(await session.on(b.mcpUrl).post(ping(50), { headers: as("flooder") }));
    assert.equal(onB.status, 429, `B let the flooder through: ${onB.text}`);
    assert.equal(onB.messages[0]?.error?.data?.reason, "rate_limited");
    const retryAfter = Number(onB.headers.get("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${String(retryAfter)}`);
    assert.equal(await counterValue(new URL("/", b.mcpUrl), "mcp_rate_limited_total", { scope: "http" }), 1);

    const neighbour = await McpHttpSession.open(b.mcpUrl, { headers: as("neighbour") });
    assert.equal(
      (await readAnswer(await neighbour.post(ping(1)))).status,
      200,
      "the neighbour's budget is its own",
    );
  });

  it("a caller holding its session share on A is refused initialize on B (429 principal_capacity) until it ends one", async () => {
    const first = await McpHttpSession.open(a.mcpUrl, { headers: as("holder") });
    await McpHttpSession.open(a.mcpUrl, { headers: as("holder") });
    const refused = await initialize(b.mcpUrl, keys.holder ?? "");
    assert.equal(refused.status, 429, `B opened a third session: ${refused.text}`);
    assert.equal(refused.messages[0]?.error?.data?.reason, "principal_capacity");
    const retryAfter = Number(refused.headers.get("retry-after"));
    // The first slot frees at its idle expiry, which Redis knows whichever replica holds it.
    assert.ok(retryAfter >= 1 && retryAfter <= IDLE_TIMEOUT_MS / 1000, `Retry-After ${String(retryAfter)}`);

    assert.equal((await first.delete()).status, 200);
    const admitted = await initialize(b.mcpUrl, keys.holder ?? "");
    assert.equal(admitted.status, 200, `a session ended on A did not free its slot on B: ${admitted.text}`);
  });

  it("sessions opened on A and used only on B keep their slots past the idle timeout", async () => {
    const opened = [
      await McpHttpSession.open(a.mcpUrl, { headers: as("mover") }),
      await McpHttpSession.open(a.mcpUrl, { headers: as("mover") }),
    ];
    const onB = opened.map((session) => session.on(b.mcpUrl));
    // 6 s of use on B only, past the 4 s idle timeout of the slots A took.
    for (let beat = 0; beat < 6; beat++) {
      for (const session of onB) {
        const answer = await readAnswer(await session.post(ping(beat), { headers: as("mover") }));
        assert.equal(answer.status, 200, answer.text);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const refused = await initialize(a.mcpUrl, keys.mover ?? "");
    assert.equal(refused.status, 429, `the slots of sessions in use on B expired: ${refused.text}`);
    assert.equal(refused.messages[0]?.error?.data?.reason, "principal_capacity");
  });

  it("the slots of a replica that died free at their idle expiry, not never", async () => {
    const doomed = await spawnServer(env);
    try {
      await McpHttpSession.open(doomed.mcpUrl, { headers: as("ghost") });
      await McpHttpSession.open(doomed.mcpUrl, { headers: as("ghost") });
    } finally {
      doomed.child.kill("SIGKILL");
      await doomed.exited();
    }
    const refused = await initialize(b.mcpUrl, keys.ghost ?? "");
    assert.equal(refused.status, 429, `the dead replica's sessions did not count: ${refused.text}`);
    assert.equal(refused.messages[0]?.error?.data?.reason, "principal_capacity");
    // Wait as told, then a few tries: each initialize spends the caller's request budget too.
    const retryAfter = Number(refused.headers.get("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= IDLE_TIMEOUT_MS / 1000, `Retry-After ${String(retryAfter)}`);
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    const admitted = await pollUntil(
      "initialize on B once the dead replica's slots expired",
      async () => {
        const answer = await initialize(b.mcpUrl, keys.ghost ?? "");
        assert.notEqual(answer.messages[0]?.error?.data?.reason, "rate_limited", answer.text);
        return answer.status === 200 ? answer : undefined;
      },
      4000,
      1000,
    );
    assert.equal(admitted.status, 200);
  });

  it("with Redis gone, each replica still limits a caller's rate in its own memory", async () => {
    const session = await McpHttpSession.open(a.mcpUrl, { headers: as("outage") });
    await redisServer.stop();
    const statuses: number[] = [];
    for (let id = 1; id <= 24 && !statuses.includes(429); id++) {
      statuses.push((await readAnswer(await session.post(ping(id)))).status);
    }
    // Under the budget the request reaches the session registry, which answers 503 while Redis is away.
    assert.ok(statuses.includes(429), `A stopped limiting without Redis: ${statuses.join(",")}`);
    assert.ok(
      statuses.every((status) => status === 503 || status === 429),
      statuses.join(","),
    );
    await pollUntil("A's warning that rate limits are counted in memory", () =>
      Promise.resolve(a.output.join("").includes("rate limits in redis did not answer") ? true : undefined),
    );
  });
});
