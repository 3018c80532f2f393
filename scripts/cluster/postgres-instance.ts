import { execFile, spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Where Debian's `postgresql` package puts the server binaries: /usr/lib/postgresql/<major>/bin. */
export const DEBIAN_PG_ROOT = "/usr/lib/postgresql";
// initdb and postgres refuse to run as root; as root we run them as this (Debian-created) user.
const SERVICE_USER = "postgres";
const DATABASE = "resilient_mcp";

/** How to start a temporary PostgreSQL. */
export interface PostgresOptions {
  /** Directory of initdb, pg_ctl, psql (default: the newest /usr/lib/postgresql/<major>/bin). */
  readonly binDir?: string;
  /** Loopback port to listen on (default: a free one). */
  readonly port?: number;
  /** Longest wait for start and stop, in ms (default 30000). */
  readonly timeoutMs?: number;
  /** max_connections of the server (default 100). */
  readonly maxConnections?: number;
}

/** A running temporary PostgreSQL; stop() shuts it down and removes its directory. */
export interface PostgresInstance {
  /** A connection URL for the database `resilient_mcp`, e.g. postgres://postgres@127.0.0.1:5555/resilient_mcp. */
  readonly url: string;
  readonly port: number;
  /** The postmaster's process id. */
  readonly pid: number;
  /** The temporary directory holding the cluster, its socket and its log. */
  readonly dir: string;
  /** Stops the server (fast shutdown) and keeps the data: start() brings it back on the same port. */
  pause(): Promise<void>;
  /** Starts a paused server again. */
  resume(): Promise<void>;
  /** Stops the server and removes the directory. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * initdb in a temporary directory, then pg_ctl start on 127.0.0.1 with the unix socket inside that
 * directory, so nothing is shared with a system PostgreSQL. Trust authentication on loopback only:
 * the instance lives for one test run or one local cluster.
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresInstance> {
  const binDir = options.binDir ?? newestDebianBinDir();
  if (!existsSync(path.join(binDir, "initdb"))) {
    throw new Error(`PostgreSQL binaries not found in ${binDir}: install the Debian package postgresql`);
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(path.join(tmpdir(), "resilient-mcp-pg-"));
  const dataDir = path.join(dir, "data");
  const asUser = serviceUser();
  if (asUser !== undefined) {
    chmodSync(dir, 0o755);
    chownSync(dir, asUser.uid, asUser.gid);
  }
  const pgRun = (tool: string, args: string[]) =>
    run(...command(asUser, path.join(binDir, tool), args), { timeout: timeoutMs });
  try {
    await pgRun("initdb", ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]);
    writeFileSync(
      path.join(dataDir, "postgresql.auto.conf"),
      [
        "listen_addresses = '127.0.0.1'",
        `port = ${String(port)}`,
        `unix_socket_directories = '${dir}'`,
        `max_connections = ${String(options.maxConnections ?? 100)}`,
        "fsync = off",
        "",
      ].join("\n"),
    );
    const instance = controlOf({ binDir, dir, port, timeoutMs });
    // Freshly initialised, nothing runs yet: resume() is the first start.
    await instance.resume();
    await pgRun("psql", [
      "-h",
      dir,
      "-p",
      String(port),
      "-U",
      "postgres",
      "-qc",
      `CREATE DATABASE ${DATABASE}`,
    ]);
    return instance;
  } catch (error) {
    const log = path.join(dir, "server.log");
    const detail = existsSync(log) ? `\n${readFileSync(log, "utf8").slice(-2000)}` : "";
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`starting a temporary PostgreSQL failed: ${String(error)}${detail}`, { cause: error });
  }
}

/** Where a temporary PostgreSQL lives, for a process other than the one that started it. */
export interface PostgresLocation {
  readonly dir: string;
  readonly port: number;
  readonly binDir?: string;
  readonly timeoutMs?: number;
}

/**
 * Control of a running temporary PostgreSQL that another process started (startPostgres's `dir`
 * and `port`): `npm run cluster -- stop` and tests that stop and restart the cluster's database.
 */
export function attachPostgres(location: PostgresLocation): PostgresInstance {
  if (!existsSync(path.join(location.dir, "data"))) {
    throw new Error(`no PostgreSQL data directory in ${location.dir}`);
  }
  return controlOf({
    binDir: location.binDir ?? newestDebianBinDir(),
    dir: location.dir,
    port: location.port,
    timeoutMs: location.timeoutMs ?? 30_000,
  });
}

/** pg_ctl start/stop of the database cluster in `dir`. */
function controlOf(where: Required<PostgresLocation>): PostgresInstance {
  const { binDir, dir, port, timeoutMs } = where;
  const dataDir = path.join(dir, "data");
  const asUser = serviceUser();
  const pgRun = (tool: string, args: string[]) =>
    run(...command(asUser, path.join(binDir, tool), args), { timeout: timeoutMs });
  const start = () =>
    pgRun("pg_ctl", ["-D", dataDir, "-l", path.join(dir, "server.log"), "-w", "-t", "30", "start"]);
  const halt = () => pgRun("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "-t", "30", "stop"]);
  // A server already running (attached to) counts as running.
  let running = existsSync(path.join(dataDir, "postmaster.pid"));
  let removed = false;
  return {
    url: `postgres://postgres@127.0.0.1:${String(port)}/${DATABASE}`,
    port,
    get pid() {
      return postmasterPid(dataDir);
    },
    dir,
    async pause() {
      if (!running) return;
      await halt();
      running = false;
    },
    async resume() {
      if (running || removed) return;
      await start();
      running = true;
    },
    async stop() {
      if (removed) return;
      removed = true;
      if (running) await halt().catch(() => undefined);
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function newestDebianBinDir(): string {
  const majors = existsSync(DEBIAN_PG_ROOT)
    ? readdirSync(DEBIAN_PG_ROOT).filter((name) => /^\d+$/.test(name))
    : [];
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0] ?? "15";
  return path.join(DEBIAN_PG_ROOT, newest, "bin");
}

function postmasterPid(dataDir: string): number {
  const file = path.join(dataDir, "postmaster.pid");
  if (!existsSync(file)) return 0;
  return Number(readFileSync(file, "utf8").split("\n", 1)[0]);
}

/** The uid/gid to drop to when running as root, or undefined when already unprivileged. */
function serviceUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync("id", [flag, SERVICE_USER], { encoding: "utf8" });
  const uid = id("-u");
  const gid = id("-g");
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(
      `running as root, PostgreSQL needs an unprivileged OS user "${SERVICE_USER}" (the Debian package creates it)`,
    );
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function command(asUser: object | undefined, file: string, args: string[]): [string, string[]] {
  return asUser === undefined ? [file, args] : ["runuser", ["-u", SERVICE_USER, "--", file, ...args]];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}
