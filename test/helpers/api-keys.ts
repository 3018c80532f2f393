import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runKeysCommand } from "../../src/auth/keys-command.js";

/** A fresh path for a keys file, in its own temporary folder (the server watches the folder). */
export function keysFilePath(): string {
  return join(mkdtempSync(join(tmpdir(), "resilient-mcp-keys-")), "api-keys.json");
}

/** What `npm run keys -- …` printed and returned. */
export interface KeysRun {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

/** Runs the keys command as the CLI does, capturing its output. */
export async function keysCommand(...argv: string[]): Promise<KeysRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runKeysCommand(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

/** Creates a key with the keys command; returns it (the last line of the output) and its id. */
export async function createKey(
  file: string,
  principal: string,
  permissions: readonly string[] = [],
): Promise<{ key: string; id: string }> {
  const run = await keysCommand(
    "create",
    "--file",
    file,
    "--principal",
    principal,
    ...(permissions.length > 0 ? ["--permissions", permissions.join(",")] : []),
  );
  if (run.code !== 0) throw new Error(`keys create failed: ${run.err.join("\n")}`);
  const key = run.out.at(-1) ?? "";
  const id = /^rmcp_(k[a-z2-7]{10})_/.exec(key)?.[1];
  if (id === undefined) throw new Error(`the last line is not a key: ${key}`);
  return { key, id };
}
