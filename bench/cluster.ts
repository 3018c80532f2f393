import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { inParallel } from "./in-parallel.js";
import { openSession } from "./mcp-http.js";
import { ratio } from "./report.js";
import { getUserFound, prepareTarget, resilient } from "./scenarios.js";
import { ServerFleet } from "./servers.js";
import { measureAlternating, warmUp, type Contender } from "./throughput.js";

/**
 * The cluster of `npm run cluster` (built server, nginx round-robin, shared Redis and PostgreSQL)
 * against one replica on the same Redis and PostgreSQL reached directly, get_user on stateful
 * sessions, alternated like `npm run bench`. Not part of `npm run bench`; run it by hand after
 * `npm run build`:
 *   node --import tsx bench/cluster.ts [seconds] [rounds] [connections] [replicas]
 */
const seconds = Number(process.argv[2] ?? "5");
const rounds = Number(process.argv[3] ?? "2");
const connections = Number(process.argv[4] ?? "10");
const replicas = process.argv[5] ?? "3";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const clusterScript = join(root, "scripts/cluster/cluster.ts");
const stateDir = mkdtempSync(join(tmpdir(), "resilient-mcp-bench-cluster-"));
const clusterEnv = {
  ...process.env,
  CLUSTER_STATE_DIR: stateDir,
  CLUSTER_REPLICAS: replicas,
  CLUSTER_SERVER: "dist",
  NODE_ENV: "production",
  LOG_LEVEL: "warn",
  // The default is every POST streamed (for resumption); the single replica answers like that too.
  MCP_STREAM_AFTER_MS: "0",
  UPSTREAM_BASE_URL: "http://127.0.0.1:9",
  RATE_LIMIT_REQUESTS: "0",
  RATE_LIMIT_TOOL_COST: "0",
};

const { stdout } = await run(process.execPath, ["--import", "tsx", clusterScript], {
  env: clusterEnv,
  timeout: 120_000,
});
const field = (name: string) => new RegExp(`^${name}=(.+)$`, "m").exec(stdout)?.[1] ?? "";
const fleet = new ServerFleet();
try {
  const single = await fleet.start({
    ...resilient,
    label: "one replica, Redis + PostgreSQL, direct",
    env: {
      LOG_LEVEL: "warn",
      MCP_STREAM_AFTER_MS: "0",
      REDIS_URL: field("REDIS_URL"),
      DATABASE_URL: field("DATABASE_URL"),
    },
  });
  const nginxUrl = new URL(field("MCP_URL"));
  const sessions: string[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  try {
    await inParallel(connections, 8, async (index) => {
      sessions[index] = await openSession(nginxUrl, agent);
    });
  } finally {
    agent.destroy();
  }
  const contenders: Contender[] = [
    {
      label: single.spec.label,
      target: await prepareTarget(single, connections),
      call: getUserFound,
      cpuSeconds: () => single.cpuSeconds(),
    },
    {
      label: `${replicas} replicas through nginx`,
      target: { label: "cluster", url: nginxUrl, sessions, headers: {} },
      call: getUserFound,
    },
  ];
  await warmUp(contenders, 2, connections);
  const series = await measureAlternating("cluster", contenders, {
    connections,
    rounds,
    seconds,
    onRun: (line) => process.stderr.write(`${line}\n`),
  });
  const direct = series.results[0]!;
  console.log(`| get_user, stateful (c=${connections}) | req/s | p50 ms | p99 ms | req/s ÷ one replica |`);
  console.log("| --- | --- | --- | --- | --- |");
  for (const result of series.results) {
    console.log(
      `| ${result.label} | ${result.rps.toFixed(0)} | ${result.p50Ms.toFixed(2)} | ` +
        `${result.p99Ms.toFixed(2)} | ${ratio(result, direct).median.toFixed(2)}× |`,
    );
  }
} finally {
  await fleet.close();
  await run(process.execPath, ["--import", "tsx", clusterScript, "stop"], {
    env: clusterEnv,
    timeout: 60_000,
  });
  rmSync(stateDir, { recursive: true, force: true });
}
