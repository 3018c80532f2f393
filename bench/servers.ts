import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from "node:fs";
import { request } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bench = (file: string) => join(root, "bench", file);
const preload = (file: string) => ["--import", pathToFileURL(bench(file)).href];

/** The kinds of server the benchmark compares. */
export type ServerKind = "resilient" | "bare-sdk" | "everything" | "express-echo" | "sdk-v2";

export interface ServerSpec {
  readonly kind: ServerKind;
  /** Names the server in results, e.g. "resilient stateless". */
  readonly label: string;
  /** Extra environment (product configuration, or MCP_SESSION_MODE for the bare server). */
  readonly env?: Readonly<Record<string, string>>;
  /** Start with --expose-gc and the IPC memory probe (session scenarios). */
  readonly memoryProbe?: boolean;
  /** Write a V8 CPU profile into this folder when the server exits (bench/profile.ts). */
  readonly cpuProfileDir?: string;
  /** resilient only: another build's dist/src/main.js (bench/compare-builds.ts); this build's by default. */
  readonly entry?: string;
}

export interface MemorySample {
  /** VmRSS from /proc/<pid>/status, read from outside the process. */
  readonly rssBytes: number;
  /** After two forced collections inside the process. */
  readonly heapUsedBytes: number;
  readonly externalBytes: number;
}

export interface RunningServer {
  readonly spec: ServerSpec;
  readonly url: URL;
  readonly pid: number;
  /** Where the server's stdout and stderr go (never the terminal). */
  readonly logFile: string;
  logBytes(): number;
  /** CPU time the process has used so far (user + system, all threads), from /proc. */
  cpuSeconds(): number;
  /** Needs `memoryProbe`. */
  memory(): Promise<MemorySample>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => {
        resolve(port);
      });
    });
  });
}

/** The command line and environment that start one kind of server on `port`. */
function commandFor(
  spec: ServerSpec,
  port: number,
  dataDir: string,
): { args: string[]; env: NodeJS.ProcessEnv } {
  const flags = [
    ...(spec.memoryProbe === true ? ["--expose-gc", "--import", "tsx", ...preload("memory-probe.ts")] : []),
    ...(spec.cpuProfileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${spec.cpuProfileDir}`]),
  ];
  const env = { ...process.env, NODE_ENV: "production", PORT: String(port), ...spec.env };
  switch (spec.kind) {
    case "resilient":
      return {
        args: [...flags, spec.entry ?? join(root, "dist/src/main.js")],
        env: {
          ...env,
          HOST: "127.0.0.1",
          LOG_LEVEL: "info",
          DATA_DIR: dataDir,
          SHUTDOWN_GRACE_MS: "1000",
          // Nothing in the benchmark calls upstream tools; should one run, it stays on loopback.
          UPSTREAM_BASE_URL: "http://127.0.0.1:9",
          // The load comes from one anonymous caller far above the per-caller budgets; measured
          // with them on, most answers would be the limiter's 429.
          RATE_LIMIT_REQUESTS: "0",
          RATE_LIMIT_TOOL_COST: "0",
          WEATHER_GEOCODING_URL: "http://127.0.0.1:9",
          WEATHER_FORECAST_URL: "http://127.0.0.1:9",
          WEATHER_ALERTS_URL: "http://127.0.0.1:9",
          ...spec.env,
        },
      };
    case "bare-sdk":
      return { args: ["--import", "tsx", ...flags, bench("bare-sdk-server.ts")], env };
    case "express-echo":
      return { args: ["--import", "tsx", ...flags, bench("express-echo-server.ts")], env };
    case "sdk-v2":
      return { args: ["--import", "tsx", ...flags, bench("sdk-v2-stateless-server.ts")], env };
    case "everything":
      return {
        args: [
          "--import",
          "tsx",
          ...preload("loopback-only.ts"),
          ...flags,
          bench("node_modules/@modelcontextprotocol/server-everything/dist/index.js"),
          "streamableHttp",
        ],
        env,
      };
  }
}

/** Resolves once the port answers HTTP (any status); rejects if the process exits first. */
async function waitUntilServing(url: URL, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    const answered = await new Promise<boolean>((resolve) => {
      const req = request(new URL("/", url), { method: "GET", timeout: 1000 }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on("error", () => {
        resolve(false);
      });
      req.on("timeout", () => req.destroy());
      req.end();
    });
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`server did not start: ${url.href}\n${readFileSync(logFile, "utf8").slice(-2000)}`);
}

const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after "pid (comm) ": state is the first, utime the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function vmRss(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? "0") * 1024;
}

/**
 * Starts and stops the benchmark's servers, each a child process on a free 127.0.0.1 port with
 * its output in a log file; remembers every process it started so that all can be stopped by PID.
 */
export class ServerFleet {
  private readonly running = new Set<RunningServer>();
  private readonly workDir = mkdtempSync(join(tmpdir(), "resilient-mcp-bench-"));

  async start(spec: ServerSpec): Promise<RunningServer> {
    const port = await freePort();
    const slug = spec.label.replace(/[^a-z0-9]+/gi, "-");
    const logFile = join(this.workDir, `${slug}.log`);
    const dataDir = mkdtempSync(join(this.workDir, `${slug}-data-`));
    const { args, env } = commandFor(spec, port, dataDir);
    const log = openSync(logFile, "a");
    const child = spawn(process.execPath, args, {
      cwd: root,
      env,
      stdio: ["ignore", log, log, ...(spec.memoryProbe === true ? (["ipc"] as const) : [])],
    });
    closeSync(log);
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${spec.label}`);
    const exited = once(child, "exit");
    const url = new URL(`http://127.0.0.1:${port}/mcp`);
    await waitUntilServing(url, child, logFile);

    const server: RunningServer = {
      spec,
      url,
      pid,
      logFile,
      logBytes: () => statSync(logFile).size,
      cpuSeconds: () => cpuSeconds(pid),
      memory: () => askMemory(child, pid),
      stop: async () => {
        this.running.delete(server);
        if (child.exitCode !== null || child.signalCode !== null) return;
        process.kill(pid, "SIGTERM");
        const timer = setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) process.kill(pid, "SIGKILL");
        }, 5000);
        await exited;
        clearTimeout(timer);
      },
    };
    this.running.add(server);
    return server;
  }

  /** Stops every server still running. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((server) => server.stop()));
  }

  /** Stops every server, then removes their logs and data; the fleet is not used after this. */
  async close(): Promise<void> {
    await this.stopAll();
    rmSync(this.workDir, { recursive: true, force: true });
  }

  /** Synchronous last resort (process exit): SIGKILL by PID. */
  killAll(): void {
    for (const server of this.running) {
      try {
        process.kill(server.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}

async function askMemory(child: ChildProcess, pid: number): Promise<MemorySample> {
  if (child.send === undefined || !child.connected) throw new Error("server was started without memoryProbe");
  const reply = new Promise<{ gc: boolean; usage: NodeJS.MemoryUsage }>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error("memory probe did not answer"));
    }, 30_000);
    child.once("message", (message) => {
      clearTimeout(timer);
      resolve(message as { gc: boolean; usage: NodeJS.MemoryUsage });
    });
  });
  child.send({ type: "memory" });
  const { gc, usage } = await reply;
  if (!gc) throw new Error("memory probe ran without --expose-gc");
  return { rssBytes: vmRss(pid), heapUsedBytes: usage.heapUsed, externalBytes: usage.external };
}
