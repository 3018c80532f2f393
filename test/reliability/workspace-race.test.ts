import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { withDeadline } from "../helpers/deadline.js";
import { openRawSession, rawToolCall, type RawSession } from "../helpers/reliability-http.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";

/**
 * A directory inside the workspace is swapped, in a loop in another process, for a symlink to
 * "..", the folder holding the workspace, where a file of the same name holds a secret. Whatever
 * the timing between the path check and the open, process_files may read the inside file or
 * refuse, never return the outside one.
 */

const CALLS = 150;
const PATHS_PER_CALL = 50;
const SECRET = "outside the workspace: must never be read\n";
const INSIDE = "inside the workspace\n";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Swaps `dir` for a symlink to ".." and back, as fast as the file system allows, until killed. */
const SWAPPER = `
const fs = require("node:fs");
const [dir, stash] = process.argv.slice(1);
process.send("ready");
for (;;) {
  try { fs.renameSync(dir, stash); fs.symlinkSync("..", dir); fs.unlinkSync(dir); fs.renameSync(stash, dir); } catch {}
}`;

describe("workspace reads under a directory/symlink swap race", { timeout: 120_000 }, () => {
  let server: RunningServer;
  let session: RawSession;
  let parent: string;
  let swapper: ChildProcess | undefined;

  before(async () => {
    parent = mkdtempSync(path.join(tmpdir(), "resilient-mcp-race-"));
    const root = path.join(parent, "workspace");
    mkdirSync(path.join(root, "sub"), { recursive: true });
    writeFileSync(path.join(root, "sub", "target.txt"), INSIDE);
    // What "sub/target.txt" names while sub is the symlink to "..".
    writeFileSync(path.join(parent, "target.txt"), SECRET);
    // 7,500 reads in a few seconds are far over the default tool budget, which is not under test.
    server = await startServer({ WORKSPACE_DIR: root, LOG_LEVEL: "warn", RATE_LIMIT_TOOL_COST: "0" });
    session = await openRawSession(server.url);
    swapper = spawn(process.execPath, ["-e", SWAPPER, path.join(root, "sub"), path.join(root, "stash")], {
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    const child = swapper;
    await withDeadline(
      "the swapper process to start",
      new Promise<void>((resolve) =>
        child.once("message", () => {
          resolve();
        }),
      ),
    );
  });

  after(async () => {
    if (swapper?.pid !== undefined) process.kill(swapper.pid);
    await server.close();
    rmSync(parent, { recursive: true, force: true });
  });

  it(`${CALLS * PATHS_PER_CALL} reads while swapping: 0 escapes`, async () => {
    const tally = { inside: 0, refused: 0, escaped: 0 };
    const refusals = new Map<string, number>();
    const paths = Array.from({ length: PATHS_PER_CALL }, () => "sub/target.txt");
    for (let call = 0; call < CALLS; call++) {
      const { message } = await rawToolCall(server.url, session, call + 10, "process_files", {
        file_paths: paths,
        operation: "checksum",
      });
      const envelope = message?.result?.structuredContent;
      assert.ok(envelope, `call ${call} answered: ${JSON.stringify(message).slice(0, 300)}`);
      for (const result of envelope.results ?? []) {
        if (result.sha256 === sha256(SECRET)) tally.escaped++;
        else if (result.sha256 === sha256(INSIDE)) tally.inside++;
        else assert.fail(`an unexpected result: ${JSON.stringify(result)}`);
      }
      for (const error of envelope.errors ?? []) {
        tally.refused++;
        refusals.set(error.error_type, (refusals.get(error.error_type) ?? 0) + 1);
      }
    }
    console.log(`race figures ${JSON.stringify({ ...tally, refusals: Object.fromEntries(refusals) })}`);
    assert.equal(tally.inside + tally.refused + tally.escaped, CALLS * PATHS_PER_CALL, "every read reported");
    assert.ok(
      tally.inside > 0 && tally.refused > 0,
      "the race was real: some reads succeeded, some were refused",
    );
    assert.equal(tally.escaped, 0, "no read returned the file outside the workspace");
    assert.ok(
      [...refusals.keys()].every((type) => type !== "internal_error"),
      `refusals are typed: ${JSON.stringify(Object.fromEntries(refusals))}`,
    );
  });
});
