import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { createKey, keysFilePath } from "../helpers/api-keys.js";
import { withDeadline } from "../helpers/deadline.js";
import { connectClient } from "../helpers/mcp-client.js";
import { spawnServer, type ServerProcess } from "../helpers/server-process.js";
import { callEnvelope } from "../helpers/tool-calls.js";

/**
 * Principal A floods a server on its default limits (sessions with held GET streams, batches of
 * process_files at the per-POST item cap, get_item misses) while principal B, another API key,
 * works: B must never be refused, and its get_user p99 under the flood stays within 3× its quiet
 * p99 measured in the same run.
 */

const SAMPLES = 400;
const FLOOD_MS = 22_000;
const root = fileURLToPath(new URL("../..", import.meta.url));

function p99(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? Number.NaN;
}

/** B's get_user latencies, sequential as a model's calls are; every call must succeed. */
async function getUserTimes(client: Client): Promise<number[]> {
  const times: number[] = [];
  for (let index = 0; index < SAMPLES; index++) {
    const started = performance.now();
    const { envelope } = await callEnvelope(client, "get_user", { user_id: String((index % 2) + 1) });
    times.push(performance.now() - started);
    assert.equal(envelope.success, true, `B's get_user failed: ${JSON.stringify(envelope.error)}`);
  }
  return times;
}

/** Starts A's flood in its own process; resolves with what it got once it ends. */
function startFlood(
  mcpUrl: URL,
  key: string,
  ms: number,
): { done: Promise<Record<string, number>>; child: ChildProcess } {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/helpers/noisy-flood.ts", mcpUrl.href, key, String(ms)],
    {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const done = once(child, "exit").then(([code]) => {
    assert.equal(code, 0, `the flood process failed: ${out}`);
    return JSON.parse(out) as Record<string, number>;
  });
  return { done, child };
}

describe("noisy neighbour: one principal floods, another is served as if alone", () => {
  let server: ServerProcess | undefined;
  let keys: { a: string; b: string };

  before(async () => {
    const file = keysFilePath();
    keys = {
      a: (await createKey(file, "flooder")).key,
      b: (await createKey(file, "neighbour", ["deploy.staging"])).key,
    };
    server = await spawnServer({
      AUTH_API_KEYS_FILE: file,
      WORKSPACE_DIR: "workspace",
      DEPLOY_QUEUED_MS: "200",
      DEPLOY_RUN_MS: "800",
    });
  });
  after(async () => {
    if (server === undefined) return;
    server.child.kill("SIGTERM");
    await server.exited();
  });

  it("B opens a session, calls get_user and wait_for_deployment: never 503/429, p99 ≤ 3× quiet", async () => {
    const asB = { Authorization: `Bearer ${keys.b}` };
    const quietClient = await connectClient(server!.mcpUrl, { headers: asB });
    await getUserTimes(quietClient.client); // warm-up
    const quiet = await getUserTimes(quietClient.client);
    await quietClient.client.close();

    const flood = startFlood(server!.mcpUrl, keys.a, FLOOD_MS);
    try {
      // Let the flood take every session slot A may hold first.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const { client } = await withDeadline(
        "B's initialize under the flood",
        connectClient(server!.mcpUrl, { headers: asB }),
      );
      const loud = await getUserTimes(client);
      const deploy = await callEnvelope(client, "deploy_application", {
        app_name: "web-frontend",
        environment: "staging",
      });
      assert.equal(deploy.envelope.success, true, JSON.stringify(deploy.envelope.error));
      const waited = await callEnvelope(client, "wait_for_deployment", {
        deployment_id: deploy.envelope.data.deployment_id,
      });
      assert.equal(waited.envelope.success, true, JSON.stringify(waited.envelope.error));
      await client.close();
      const figures = {
        quiet_p99_ms: Number(p99(quiet).toFixed(2)),
        flood_p99_ms: Number(p99(loud).toFixed(2)),
        flood: await withDeadline("A's flood process to end", flood.done, FLOOD_MS + 15_000),
      };
      console.log("noisy neighbour figures", JSON.stringify(figures));
      assert.ok((figures.flood["initialize 429"] ?? 0) > 0, "A was refused sessions past its share");
      assert.ok((figures.flood["batch 429"] ?? 0) > 0, "A was held to its request rate");
      assert.ok(
        figures.flood_p99_ms <= 3 * figures.quiet_p99_ms,
        `B's p99 ${figures.flood_p99_ms} ms vs quiet ${figures.quiet_p99_ms} ms`,
      );
    } finally {
      if (flood.child.exitCode === null) flood.child.kill("SIGTERM");
    }
  });
});
