import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { withDeadline } from "./deadline.js";
import { TEST_PERMISSIONS } from "./test-server.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly mcpUrl: URL;
  readonly output: string[];
  /** Resolves with the exit code once the process has ended; fails after `ms` (15 s by default). */
  exited(ms?: number): Promise<number | null>;
}

/** Runs src/main.ts as its own process on a free loopback port, as an operator would. */
export async function spawnServer(env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: root,
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      ANONYMOUS_PERMISSIONS: TEST_PERMISSIONS,
      DATA_DIR: env.DATA_DIR ?? mkdtempSync(join(tmpdir(), "resilient-mcp-proc-")),
      UPSTREAM_BASE_URL: "http://127.0.0.1:47",
      WEATHER_GEOCODING_URL: "http://127.0.0.1:47",
      WEATHER_FORECAST_URL: "http://127.0.0.1:47",
      WEATHER_ALERTS_URL: "http://127.0.0.1:47",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const exit = once(child, "exit").then(([code]) => code as number | null);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`server did not start:\n${output.join("")}`));
    }, 15_000);
    let found = false;
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      // Only until the port is known: joining every line of a busy server's log is quadratic.
      if (found) return;
      const match = /"port":(\d+)/.exec(output.join(""));
      if (match?.[1] !== undefined) {
        found = true;
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk: Buffer) => {
      output.push(chunk.toString());
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output.join("")}`));
    });
  });
  return {
    child,
    mcpUrl: new URL(`http://127.0.0.1:${port}/mcp`),
    output,
    exited: (ms = 15_000) => withDeadline(`exit of server process ${String(child.pid)}`, exit, ms),
  };
}
