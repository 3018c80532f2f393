import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Redis } from "ioredis";
import type { PostgresLocation } from "../../scripts/cluster/postgres-instance.js";
import { deadlineSignal, urlOf } from "./deadline.js";
import { TEST_PERMISSIONS } from "./test-server.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));

/** A cluster started with `npm run cluster`, as an operator would: its URL, pids and logs. */
export interface RunningCluster {
  readonly url: string;
  readonly mcpUrl: URL;
  /** The Redis every replica shares. */
  readonly redisUrl: string;
  /** The PostgreSQL every replica shares. */
  readonly databaseUrl: string;
  /** Where the PostgreSQL the cluster started lives (attachPostgres stops and restarts it). */
  readonly postgres: PostgresLocation | undefined;
  /** The pid of each process by name (redis, replica-1…, nginx). */
  readonly pids: ReadonlyMap<string, number>;
  readonly stateDir: string;
  /** Every replica's log, by replica name. */
  logs(): Map<string, string>;
  stop(): Promise<void>;
}

/** Runs scripts/cluster/cluster.ts with `env` added to ours and a state directory of its own. */
export async function startCluster(env: Record<string, string> = {}): Promise<RunningCluster> {
  const stateDir = mkdtempSync(join(tmpdir(), "resilient-mcp-cluster-test-"));
  const clusterEnv = {
    ...process.env,
    ANONYMOUS_PERMISSIONS: TEST_PERMISSIONS,
    UPSTREAM_BASE_URL: "http://127.0.0.1:47",
    WEATHER_GEOCODING_URL: "http://127.0.0.1:47",
    WEATHER_FORECAST_URL: "http://127.0.0.1:47",
    WEATHER_ALERTS_URL: "http://127.0.0.1:47",
    ...env,
    CLUSTER_STATE_DIR: stateDir,
  };
  const script = join(root, "scripts/cluster/cluster.ts");
  const { stdout } = await run(process.execPath, ["--import", "tsx", script], {
    cwd: root,
    env: clusterEnv,
    timeout: 90_000,
  });
  const url = /^URL=(.+)$/m.exec(stdout)?.[1];
  if (url === undefined) throw new Error(`npm run cluster printed no URL line:\n${stdout}`);
  const state = JSON.parse(readFileSync(join(stateDir, "state.json"), "utf8")) as {
    postgres?: PostgresLocation;
  };
  const pids = new Map([...stdout.matchAll(/^PID (\S+) (\d+)$/gm)].map((m) => [m[1] ?? "", Number(m[2])]));
  return {
    url,
    mcpUrl: new URL(`${url}/mcp`),
    redisUrl: /^REDIS_URL=(.+)$/m.exec(stdout)?.[1] ?? "",
    databaseUrl: /^DATABASE_URL=(.+)$/m.exec(stdout)?.[1] ?? "",
    postgres: state.postgres,
    pids,
    stateDir,
    logs() {
      const logs = new Map<string, string>();
      for (const file of readdirSync(stateDir).filter((name) => /^replica-\d+\.log$/.test(name))) {
        logs.set(file.replace(/\.log$/, ""), readFileSync(join(stateDir, file), "utf8"));
      }
      return logs;
    },
    async stop() {
      await run(process.execPath, ["--import", "tsx", script, "stop"], {
        cwd: root,
        env: clusterEnv,
        timeout: 60_000,
      });
    },
  };
}

/** A fetch that notes which replica (nginx's X-Upstream-Addr) answered each request. */
export function upstreamRecordingFetch(seen: Set<string>): typeof fetch {
  return async (input, init) => {
    // The SDK client passes its own signal (its request timeout, or the stream's lifetime).
    const signal = init?.signal ?? deadlineSignal(`an answer through nginx to ${urlOf(input)}`);
    const res = await fetch(input, { ...init, signal });
    const upstream = res.headers.get("x-upstream-addr");
    if (upstream !== null) seen.add(upstream);
    return res;
  };
}

/** Polls Redis for the one request in flight and returns the pid of the replica running it. */
export async function runningReplicaPid(redis: Redis): Promise<number> {
  for (;;) {
    for (const key of await redis.keys("mcp:inflight:*")) {
      if ((await redis.hlen(key)) === 0) continue;
      const replicaId = key.slice("mcp:inflight:".length);
      const pid = await redis.get(`mcp:replica:${replicaId}`);
      if (pid !== null) return Number(pid);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
