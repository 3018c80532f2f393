import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { deadlineSignal, withDeadline } from "./deadline.js";

/**
 * A real Prometheus (Debian's `prometheus` binary, which scripts/test.sh installs) on a free
 * loopback port, with its own temporary storage, stopped by PID when the test ends.
 */
export interface RunningPrometheus {
  readonly url: URL;
  /** An instant query; rejects with Prometheus's own message when the expression does not parse. */
  query(expr: string): Promise<PromSample[]>;
  /** Waits until `expr` returns at least one series, or fails naming what it waited for. */
  waitFor(what: string, expr: string, ms?: number): Promise<PromSample[]>;
  close(): Promise<void>;
}

/** One series of an instant vector. */
export interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

/** A TCP port nothing listens on right now (Prometheus cannot be given port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}

/** Starts Prometheus with `config` (YAML text); resolves once /-/ready answers 200. */
export async function startPrometheus(config: string): Promise<RunningPrometheus> {
  const dir = mkdtempSync(path.join(tmpdir(), "resilient-mcp-prometheus-"));
  const configFile = path.join(dir, "prometheus.yml");
  writeFileSync(configFile, config);
  const port = await freePort();
  const output: string[] = [];
  const child: ChildProcess = spawn(
    "prometheus",
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const exited = once(child, "exit");
  const url = new URL(`http://127.0.0.1:${port}`);
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await withDeadline(`exit of prometheus (pid ${String(child.pid)})`, exited, 15_000).catch(() => {
        child.kill("SIGKILL");
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(url, child, output);
  } catch (error) {
    await close();
    throw error;
  }
  const query = async (expr: string): Promise<PromSample[]> => {
    const target = new URL("/api/v1/query", url);
    target.searchParams.set("query", expr);
    const response = await fetch(target, { signal: deadlineSignal(`Prometheus query ${expr}`) });
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.status !== "success" || body.data === undefined) {
      throw new Error(`Prometheus refused ${expr}: ${body.error ?? response.statusText}`);
    }
    if (body.data.resultType !== "vector") throw new Error(`${expr} is not an instant vector`);
    return body.data.result.map((series) => ({ metric: series.metric, value: Number(series.value[1]) }));
  };
  return {
    url,
    query,
    async waitFor(what, expr, ms = 30_000) {
      const until = Date.now() + ms;
      for (;;) {
        const samples = await query(expr);
        if (samples.length > 0) return samples;
        if (Date.now() > until) throw new Error(`${what}: ${expr} returned nothing within ${ms} ms`);
        await delay(250);
      }
    },
    close,
  };
}

async function waitUntilReady(url: URL, child: ChildProcess, output: string[]): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`prometheus exited with ${child.exitCode}:\n${output.join("")}`);
    try {
      const response = await fetch(new URL("/-/ready", url), {
        signal: deadlineSignal("Prometheus /-/ready", 2000),
      });
      await response.text();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > until) throw new Error(`prometheus was not ready within 30 s:\n${output.join("")}`);
    await delay(200);
  }
}
