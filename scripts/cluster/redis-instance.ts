import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeLoopbackPort } from "./free-port.js";
import { readTail, spawnDetached, stopProcess, waitUntil } from "./process-tools.js";

/** A redis-server this process started: where it listens, its pid, and how to stop it. */
export interface RedisInstance {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Its working directory (and log), removed by stop(). */
  readonly dir: string;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its directory. */
  stop(): Promise<void>;
}

export interface StartRedisOptions {
  /** Listen on this port (a restart on the same address); a free one by default. */
  readonly port?: number;
  /** How long to wait for "Ready to accept connections". */
  readonly startTimeoutMs?: number;
}

/**
 * Starts redis-server on loopback for tests and the local cluster: a free port, no persistence
 * (no RDB, no AOF), its working directory and log a fresh temporary directory. Resolves once it
 * accepts connections; fails with its log if it does not within the timeout. The process runs in
 * its own group, so a cluster started by a command that exits keeps it.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisInstance> {
  const port = options.port ?? (await freeLoopbackPort());
  const dir = mkdtempSync(join(tmpdir(), "resilient-mcp-redis-"));
  const logFile = join(dir, "redis.log");
  const pid = spawnDetached(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    logFile,
  );
  try {
    await waitUntil(
      `redis-server on port ${port}`,
      () => readTail(logFile, 1000).includes("Ready to accept connections"),
      options.startTimeoutMs ?? 10_000,
      logFile,
    );
  } catch (error) {
    await stopProcess(pid, 1000);
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid,
    dir,
    async stop() {
      await stopProcess(pid);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
