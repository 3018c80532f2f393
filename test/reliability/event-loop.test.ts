import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { after, before, describe, it } from "node:test";
import {
  healthStatus,
  inspectToolResult,
  openRawSession,
  rawRequest,
  rawToolCall,
  type RawSession,
} from "../helpers/reliability-http.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";

/**
 * Markdown built to make a backtracking heading regex take seconds per line: a heading marker,
 * then thousands of spaces (or tabs, or "#"), then a character that makes the match fail late.
 * The server runs in this process, so the event-loop delay measured here is the server's.
 */
const HOSTILE_LINES: Record<string, string> = {
  "spaces.md": `# a${" ".repeat(4000)}x`,
  "tabs.md": `## a${" \t".repeat(2000)}x`,
  "hashes.md": `# a${" #".repeat(2000)}x`,
  "closing.md": `###${" ".repeat(4000)}#${" ".repeat(4000)}x`,
  "fence.md": `${" ".repeat(8000)}x`,
};
// Many hostile lines in one file, still under the default 1 MiB file limit.
const REPEATED = `${Array.from({ length: 150 }, () => HOSTILE_LINES["spaces.md"]).join("\n")}\n`;

const MAX_LOOP_DELAY_MS = 100;
const HEALTH_DEADLINE_MS = 2_000;

describe("hostile file contents do not block the event loop", { timeout: 120_000 }, () => {
  let server: RunningServer;
  let workspace: string;
  let session: RawSession;

  before(async () => {
    workspace = mkdtempSync(path.join(tmpdir(), "resilient-mcp-redos-"));
    for (const [name, line] of Object.entries(HOSTILE_LINES))
      writeFileSync(path.join(workspace, name), `${line}\n`);
    writeFileSync(path.join(workspace, "repeated.md"), REPEATED);
    server = await startServer({ WORKSPACE_DIR: workspace, LOG_LEVEL: "warn" });
    session = await openRawSession(server.url);
  });

  after(async () => {
    await server.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  it(`summarize of backtracking-bait Markdown keeps the loop delay under ${MAX_LOOP_DELAY_MS} ms and /health prompt`, async () => {
    const files = [...Object.keys(HOSTILE_LINES), "repeated.md"];
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    let healthAnswers = 0;
    let calling = true;
    // /health polled throughout: each answer has a deadline, so a frozen loop fails by name.
    const healthLoop = (async () => {
      while (calling) {
        const status = await healthStatus(server.url);
        assert.equal(status, 200, "/health answered 200 while summarize ran");
        healthAnswers++;
      }
    })();
    histogram.enable();
    try {
      for (let round = 0; round < 5; round++) {
        const { message } = await rawToolCall(server.url, session, 100 + round, "process_files", {
          file_paths: files,
          operation: "summarize",
        });
        assert.ok(message, `process_files answered in round ${round}`);
        const outcome = inspectToolResult(message.result);
        assert.deepEqual(outcome, { kind: "batch", failed: 0, errorTypes: [] }, "every file summarized");
      }
    } finally {
      histogram.disable();
      calling = false;
    }
    await healthLoop;
    const maxDelayMs = histogram.max / 1e6;
    console.log(
      `event loop figures ${JSON.stringify({ max_ms: maxDelayMs, p99_ms: histogram.percentile(99) / 1e6, health_answers: healthAnswers })}`,
    );
    assert.ok(healthAnswers > 0, "/health was answered at least once meanwhile");
    assert.ok(maxDelayMs < MAX_LOOP_DELAY_MS, `event-loop delay max ${maxDelayMs.toFixed(1)} ms`);
  });

  it("the headings are still read: a closing run of # and trailing spaces are not part of them", async () => {
    writeFileSync(path.join(workspace, "plain.md"), "# Title ##  \n\n```\n# not a heading\n```\n## Usage\n");
    const { message } = await rawToolCall(server.url, session, 200, "process_files", {
      file_paths: ["plain.md", "spaces.md"],
      operation: "summarize",
    });
    const text = JSON.stringify(message?.result?.structuredContent);
    assert.match(text, /with 2 headings: Title; Usage\./, text);
    assert.match(text, /with 1 heading: a {4000}x\./, "a long heading is kept whole");
  });

  it("/health still answers within its deadline afterwards", async () => {
    const response = await rawRequest(server.url, {
      method: "GET",
      path: "/health",
      timeoutMs: HEALTH_DEADLINE_MS,
    });
    assert.equal(response.status, 200);
  });
});
