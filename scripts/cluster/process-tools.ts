import { spawn } from "node:child_process";
import { openSync, readFileSync } from "node:fs";

/** Starts `command` in its own process group, its output appended to `logFile`; it outlives us. */
export function spawnDetached(
  command: string,
  args: readonly string[],
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const log = openSync(logFile, "a");
  const child = spawn(command, args, { detached: true, stdio: ["ignore", log, log], env });
  child.unref();
  if (child.pid === undefined) throw new Error(`${command} could not be started`);
  return child.pid;
}

/** True while the process exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until `ready()` holds, failing after `ms` with a message naming `what` and the log. */
export async function waitUntil(
  what: string,
  ready: () => boolean | Promise<boolean>,
  ms: number,
  logFile?: string,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const log = logFile === undefined ? "" : `\n${readTail(logFile)}`;
  throw new Error(`${what}: not ready within ${ms} ms${log}`);
}

/** The last lines of a log file, or nothing when it cannot be read. */
export function readTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`; resolves once it is gone. */
export async function stopProcess(pid: number, graceMs = 5000): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
  while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 20));
}
