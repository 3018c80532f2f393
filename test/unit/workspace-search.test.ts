import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createWorkspace, type Workspace } from "../../src/backends/workspace/index.js";
import { errorEnvelope } from "../../src/errors/envelope.js";
import type { ToolError } from "../../src/errors/tool-error.js";
import { classifiedRejection } from "../helpers/classified-rejection.js";

let base: string;
let root: string;
let workspace: Workspace;

before(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), "ws-search-")));
  root = path.join(base, "ws");
  await mkdir(path.join(root, "reports", "2024"), { recursive: true });
  await mkdir(path.join(root, "archive"));
  await mkdir(path.join(base, "outside"));
  const files = ["Alpha-report.md", "beta.txt", "reports/report-1.txt", "reports/2024/report-deep.txt"];
  for (const file of [...files, "archive/REPORT-2.csv"]) await writeFile(path.join(root, file), `${file}\n`);
  await writeFile(path.join(base, "outside", "report-secret.txt"), "secret\n");
  await symlink("reports/report-1.txt", path.join(root, "report-link.txt"));
  await symlink(path.join(base, "outside", "report-secret.txt"), path.join(root, "report-out.txt"));
  await symlink("reports", path.join(root, "reports-link"));
  await symlink(path.join(base, "outside"), path.join(root, "outdir"));
  workspace = await createWorkspace({ root });
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

function assertNoAbsolutePaths(error: ToolError): void {
  const seen = JSON.stringify({ error, details: error.details, envelope: errorEnvelope(error, "ref_test") });
  assert.ok(!seen.includes(base), `error mentions the temp folder: ${seen}`);
}

const ALL_REPORTS = [
  "Alpha-report.md",
  "report-link.txt",
  "archive/REPORT-2.csv",
  "reports/report-1.txt",
  "reports/2024/report-deep.txt",
];

describe("workspace.search", () => {
  it("finds files by name, case-insensitively, breadth-first in code-unit order, in the documented shape", async () => {
    const result = await workspace.search("report", ".", 10);
    assert.deepEqual(result, { matches: ALL_REPORTS, count: 5, truncated: false, searched_path: "." });
    assert.deepEqual((await workspace.search("REPORT")).matches, ALL_REPORTS);
  });

  it("skips links leaving the root and does not descend into linked folders", async () => {
    const { matches } = await workspace.search("report");
    assert.ok(!matches.includes("report-out.txt"));
    assert.ok(!matches.some((match) => match.startsWith("outdir/") || match.startsWith("reports-link/")));
    assert.ok(matches.includes("report-link.txt"), "a link to a file inside is listed under its own name");
    assert.ok(matches.every((match) => !path.isAbsolute(match) && !match.includes("\\")));
  });

  it("truncates at max_results and says so", async () => {
    const result = await workspace.search("report", ".", 2);
    assert.deepEqual(result.matches, ALL_REPORTS.slice(0, 2));
    assert.equal(result.count, 2);
    assert.equal(result.truncated, true);
    assert.equal(result.truncated_reason, "max_results");
  });

  it("does not claim truncation when the matches exactly fill max_results", async () => {
    const result = await workspace.search("report", ".", ALL_REPORTS.length);
    assert.equal(result.count, ALL_REPORTS.length);
    assert.equal(result.truncated, false);
    assert.equal(result.truncated_reason, undefined);
  });

  it("searches a sub-folder, including one reached through a link inside, with relative results", async () => {
    const sub = await workspace.search("report", "reports/");
    assert.deepEqual(sub.matches, ["reports/report-1.txt", "reports/2024/report-deep.txt"]);
    assert.equal(sub.searched_path, "reports");
    const linked = await workspace.search("report", "reports-link");
    assert.deepEqual(linked.matches, ["reports-link/report-1.txt", "reports-link/2024/report-deep.txt"]);
  });

  it("returns an empty result, not an error, when nothing matches", async () => {
    assert.deepEqual(await workspace.search("zzz-nothing"), {
      matches: [],
      count: 0,
      truncated: false,
      searched_path: ".",
    });
  });

  it("stops after maxEntriesScanned entries and reports truncated", async () => {
    const scanRoot = path.join(base, "scan");
    await mkdir(path.join(scanRoot, "many"), { recursive: true });
    for (let index = 1; index <= 5; index++)
      await writeFile(path.join(scanRoot, "many", `f${index}.txt`), "x");
    // 1 entry at the top ("many") + 5 inside = 6.
    const tight = await (
      await createWorkspace({ root: scanRoot, maxEntriesScanned: 4 })
    ).search(".txt", ".", 100);
    assert.equal(tight.truncated, true);
    assert.equal(tight.truncated_reason, "scan_limit");
    assert.equal(tight.count, 3);
    const exact = await (
      await createWorkspace({ root: scanRoot, maxEntriesScanned: 6 })
    ).search(".txt", ".", 100);
    assert.equal(exact.truncated, false);
    assert.deepEqual(exact.matches, [
      "many/f1.txt",
      "many/f2.txt",
      "many/f3.txt",
      "many/f4.txt",
      "many/f5.txt",
    ]);
  });

  it("answers a missing folder with not_found and similar folder names", async () => {
    const error = await classifiedRejection(workspace.search("report", "reprts"));
    assert.equal(error.type, "not_found");
    assert.equal(error.details.resource_type, "directory");
    assert.equal(error.details.identifier, "reprts");
    assert.deepEqual(error.details.similar_matches, ["reports"]);
    assert.match(error.suggestion ?? "", /Did you mean "reports"\?/);
    assertNoAbsolutePaths(error);
  });

  it("lists what is there when no folder name is close", async () => {
    const error = await classifiedRejection(workspace.search("report", "reports/xyzzy"));
    assert.equal(error.type, "not_found");
    assert.equal(error.details.similar_matches, undefined);
    assert.match(error.suggestion ?? "", /The folder "reports" contains: 2024\/, report-1.txt/);
  });

  it("answers a file given as the search path with validation_error pointing at its folder", async () => {
    const error = await classifiedRejection(workspace.search("report", "reports/report-1.txt"));
    assert.equal(error.type, "validation_error");
    assert.equal(error.details.field, "path");
    assert.match(error.message, /is a file, not a folder/);
    assert.deepEqual(error.details.examples, ["reports"]);
  });

  it("refuses search paths that leave the workspace", async () => {
    for (const given of ["..", "/", "outdir", "%2e%2e"]) {
      const error = await classifiedRejection(workspace.search("report", given));
      assert.equal(error.type, "permission_denied", given);
      assert.equal(error.details.action, "search");
      assertNoAbsolutePaths(error);
    }
  });

  it("validates query and max_results as documented", async () => {
    const short = await classifiedRejection(workspace.search("r"));
    assert.equal(short.type, "validation_error");
    assert.equal(short.details.field, "query");
    assert.equal(short.message, "Query must be at least 2 characters");
    for (const bad of [0, 101, 2.5]) {
      const error = await classifiedRejection(workspace.search("report", ".", bad));
      assert.equal(error.type, "validation_error");
      assert.equal(error.details.field, "max_results");
      assert.match(error.message, /max_results must be 1-100/);
    }
  });

  it("tells a model that put a folder in the query where it belongs", async () => {
    const error = await classifiedRejection(workspace.search("reports/report-1"));
    assert.equal(error.details.field, "query");
    assert.match(error.suggestion ?? "", /query "report-1" with path "reports"/);
  });

  it("stops when the call is cancelled", async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await classifiedRejection(
      workspace.search("report", ".", 10, { signal: controller.signal }),
    );
    assert.equal(error.type, "cancelled");
  });

  it(
    "lists folders it could not read instead of failing the whole search",
    { skip: process.getuid?.() === 0 ? "root ignores file permissions" : false },
    async () => {
      const locked = path.join(root, "archive");
      await chmod(locked, 0o000);
      try {
        const result = await workspace.search("report");
        assert.deepEqual(result.skipped_directories, ["archive"]);
        assert.ok(!result.matches.includes("archive/REPORT-2.csv"));
      } finally {
        await chmod(locked, 0o755);
      }
    },
  );
});
