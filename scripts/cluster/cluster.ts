/**
 * `npm run cluster`: on loopback, redis-server, a temporary PostgreSQL, CLUSTER_REPLICAS replicas
 * (3 by default) and nginx round-robin in front. Prints `URL=<nginx URL>`, `MCP_URL=<…/mcp>`,
 * `REDIS_URL=…`, `DATABASE_URL=…` and one `PID <name> <pid>` line per process it started, then
 * exits, leaving them running. `npm run cluster -- stop` stops them. A REDIS_URL or DATABASE_URL
 * already set is used as is (nothing started for it).
 * Replicas inherit this environment (auth, limits, permissions…). The state lives in
 * CLUSTER_STATE_DIR (a fixed temporary directory by default), so stop finds what start started.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freeLoopbackPort } from "./free-port.js";
import { startNginx } from "./nginx-instance.js";
import { attachPostgres, startPostgres, type PostgresLocation } from "./postgres-instance.js";
import { isAlive, spawnDetached, stopProcess, waitUntil } from "./process-tools.js";
import { startRedis } from "./redis-instance.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

interface StartedProcess {
  readonly name: string;
  readonly pid: number;
}

interface ClusterState {
  readonly url: string;
  readonly redisUrl: string;
  readonly databaseUrl: string;
  /** The PostgreSQL this command started (stopped with pg_ctl, not a signal), if any. */
  readonly postgres?: PostgresLocation;
  readonly processes: StartedProcess[];
  readonly dirs: string[];
}

function stateDir(): string {
  return process.env.CLUSTER_STATE_DIR ?? join(tmpdir(), "resilient-mcp-cluster");
}

function replicaCount(): number {
  const raw = process.env.CLUSTER_REPLICAS ?? "3";
  const count = Number(raw);
  if (!/^\d+$/.test(raw) || count < 1 || count > 16) {
    throw new Error(`CLUSTER_REPLICAS=${JSON.stringify(raw)}: expected a whole number from 1 to 16`);
  }
  return count;
}

/** The command that runs one replica: the built server when asked for, the sources otherwise. */
function serverCommand(): string[] {
  if (process.env.CLUSTER_SERVER === "dist") {
    const built = join(ROOT, "dist/src/main.js");
    if (!existsSync(built))
      throw new Error("CLUSTER_SERVER=dist but dist/src/main.js is missing: run npm run build");
    return [built];
  }
  return ["--import", "tsx", join(ROOT, "src/main.ts")];
}

/** What every replica shares: where the shared state lives and the requestState key. */
interface SharedSettings {
  readonly redisUrl: string;
  readonly databaseUrl: string;
  readonly stateKey: string;
}

async function startReplica(
  index: number,
  dir: string,
  { redisUrl, databaseUrl, stateKey }: SharedSettings,
): Promise<StartedProcess & { port: number }> {
  const port = await freeLoopbackPort();
  const name = `replica-${index}`;
  const logFile = join(dir, `${name}.log`);
  const dataDir = join(dir, `data-${index}`);
  mkdirSync(dataDir, { recursive: true });
  const pid = spawnDetached(process.execPath, serverCommand(), logFile, {
    ...process.env,
    PORT: String(port),
    HOST: "127.0.0.1",
    REDIS_URL: redisUrl,
    DATABASE_URL: databaseUrl,
    MCP_REQUEST_STATE_KEY: stateKey,
    DATA_DIR: process.env.DATA_DIR ?? dataDir,
    // A call's stream (and its resume point) exists from its first byte, so a replica dying
    // mid-call leaves the client a stream to resume on another replica.
    MCP_STREAM_AFTER_MS: process.env.MCP_STREAM_AFTER_MS ?? "0",
  });
  const ready = waitUntil(
    `${name} on port ${port}`,
    async () => {
      if (!isAlive(pid)) throw new Error(`${name} exited at start; see ${logFile}`);
      try {
        return (await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) })).ok;
      } catch {
        return false;
      }
    },
    30_000,
    logFile,
  );
  await ready.catch(async (error: unknown) => {
    await stopProcess(pid, 1000);
    throw error;
  });
  return { name, pid, port };
}

async function start(): Promise<void> {
  const dir = stateDir();
  const stateFile = join(dir, "state.json");
  if (existsSync(stateFile)) {
    const previous = JSON.parse(readFileSync(stateFile, "utf8")) as ClusterState;
    const postgresLeft = previous.postgres !== undefined && existsSync(previous.postgres.dir);
    if (postgresLeft || previous.processes.some(({ pid }) => isAlive(pid))) {
      throw new Error(`a cluster is already running (${previous.url}); run: npm run cluster -- stop`);
    }
  }
  const replicaTotal = replicaCount();
  mkdirSync(dir, { recursive: true });
  const started: StartedProcess[] = [];
  const dirs: string[] = [];
  let postgres: (PostgresLocation & { pid: number }) | undefined;
  try {
    let redisUrl = process.env.REDIS_URL;
    if (redisUrl === undefined || redisUrl === "") {
      const redis = await startRedis();
      started.push({ name: "redis", pid: redis.pid });
      dirs.push(redis.dir);
      redisUrl = redis.url;
    }
    let databaseUrl = process.env.DATABASE_URL;
    if (databaseUrl === undefined || databaseUrl === "") {
      const database = await startPostgres();
      postgres = { dir: database.dir, port: database.port, pid: database.pid };
      databaseUrl = database.url;
    }
    // Replicas must sign requestState with one key, or a 2026 call's second round fails elsewhere.
    const stateKey = process.env.MCP_REQUEST_STATE_KEY ?? randomBytes(48).toString("base64");
    // All at once: each takes seconds to start, mostly loading code.
    const indexes = Array.from({ length: replicaTotal }, (_unused, index) => index + 1);
    const starting = indexes.map((index) => startReplica(index, dir, { redisUrl, databaseUrl, stateKey }));
    const settled = await Promise.allSettled(starting);
    const replicas = settled.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    for (const replica of replicas) started.push({ name: replica.name, pid: replica.pid });
    const failed = settled.find((result) => result.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    const nginx = await startNginx(
      join(dir, "nginx"),
      replicas.map(({ port }) => port),
    );
    started.push({ name: "nginx", pid: nginx.pid });
    const state: ClusterState = { url: nginx.url, redisUrl, databaseUrl, postgres, processes: started, dirs };
    writeFileSync(stateFile, JSON.stringify(state, null, 2));
    process.stdout.write(`URL=${nginx.url}\nMCP_URL=${nginx.url}/mcp\nREDIS_URL=${redisUrl}\n`);
    process.stdout.write(`DATABASE_URL=${databaseUrl}\n`);
    for (const { name, pid } of started) process.stdout.write(`PID ${name} ${pid}\n`);
    if (postgres !== undefined) process.stdout.write(`PID postgres ${postgres.pid}\n`);
  } catch (error) {
    await Promise.all(started.map(({ pid }) => stopProcess(pid)));
    if (postgres !== undefined) await attachPostgres(postgres).stop();
    for (const created of dirs) rmSync(created, { recursive: true, force: true });
    throw error;
  }
}

async function stop(): Promise<void> {
  const dir = stateDir();
  const stateFile = join(dir, "state.json");
  if (!existsSync(stateFile)) {
    process.stdout.write("no cluster is running\n");
    return;
  }
  const state = JSON.parse(readFileSync(stateFile, "utf8")) as ClusterState;
  // nginx first (no new traffic), then the replicas (they drain), Redis, PostgreSQL last.
  const order = [...state.processes].reverse();
  for (const { name, pid } of order) {
    await stopProcess(pid, 15_000);
    process.stdout.write(`stopped ${name} ${pid}\n`);
  }
  if (state.postgres !== undefined && existsSync(state.postgres.dir)) {
    await attachPostgres(state.postgres).stop();
    process.stdout.write("stopped postgres\n");
  }
  for (const started of state.dirs) rmSync(started, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
}

const command = process.argv[2] ?? "start";
const run = command === "stop" ? stop : command === "start" ? start : undefined;
if (run === undefined) {
  process.stderr.write(`unknown command ${JSON.stringify(command)}: use "start" (the default) or "stop"\n`);
  process.exit(2);
}
run().catch((error: unknown) => {
  process.stderr.write(
    `cluster ${command} failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
