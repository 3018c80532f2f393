import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeLoopbackPort } from "./free-port.js";

/** A redis-server this process started: where it listens, its pid, and how to stop it. */
export interface RedisInstance {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
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
 * (no RDB, no AOF), its working directory a fresh temporary one. Resolves once it accepts
 * connections; fails with its output if it does not within the timeout.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisInstance> {
  const port = options.port ?? (await freeLoopbackPort());
  const dir = mkdtempSync(join(tmpdir(), "resilient-mcp-redis-"));
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const output: string[] = [];
  const exited = once(child, "exit");
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`redis-server did not start within the deadline:\n${output.join("")}`));
    }, options.startTimeoutMs ?? 10_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(
        new Error(`redis-server could not be run (is the redis-server package installed?): ${error.message}`),
      );
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited at start:\n${output.join("")}`));
    });
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.join("").includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
  });
  const pid = child.pid ?? 0;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
