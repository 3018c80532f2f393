import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freeLoopbackPort } from "./free-port.js";
import { spawnDetached, waitUntil } from "./process-tools.js";

const TEMPLATE = fileURLToPath(new URL("nginx.conf.template", import.meta.url));

/** nginx started in front of the replicas: its URL and master pid. */
export interface NginxInstance {
  readonly url: string;
  readonly pid: number;
}

/**
 * Writes the configuration from the template into `prefix` (a temporary directory), checks it
 * with `nginx -t`, and starts nginx in the foreground of its own process group.
 */
export async function startNginx(prefix: string, upstreamPorts: readonly number[]): Promise<NginxInstance> {
  const port = await freeLoopbackPort();
  mkdirSync(prefix, { recursive: true });
  const servers = upstreamPorts
    .map((upstream) => `    server 127.0.0.1:${upstream} max_fails=1 fail_timeout=5s;`)
    .join("\n");
  const conf = readFileSync(TEMPLATE, "utf8")
    .replaceAll("{{PREFIX}}", prefix)
    .replaceAll("{{PORT}}", String(port))
    .replace("{{SERVERS}}", servers);
  const confFile = join(prefix, "nginx.conf");
  writeFileSync(confFile, conf);
  const errorLog = join(prefix, "error.log");
  const args = ["-p", prefix, "-c", confFile, "-e", errorLog];
  try {
    execFileSync("nginx", [...args, "-t", "-q"], { stdio: "pipe" });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
    throw new Error(`nginx -t rejected ${confFile}: ${stderr}`);
  }
  const pid = spawnDetached("nginx", [...args, "-g", "daemon off;"], join(prefix, "nginx.out"));
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    `nginx on port ${port}`,
    async () => {
      try {
        await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
        return true;
      } catch {
        return false;
      }
    },
    10_000,
    errorLog,
  );
  return { url, pid };
}
