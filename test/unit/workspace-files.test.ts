import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  createWorkspace,
  WORKSPACE_OPERATIONS,
  WORKSPACE_OPERATION_DESCRIPTIONS,
  type Workspace,
  type WorkspaceOperation,
} from "../../src/backends/workspace/index.js";
import { aggregateBatch, runBatch } from "../../src/errors/batch.js";
import { errorEnvelope } from "../../src/errors/envelope.js";
import type { ToolError } from "../../src/errors/tool-error.js";
import { classifiedRejection } from "../helpers/classified-rejection.js";

const LIMIT = 64;
const GUIDE = "# Guide\n\nIntro.\n\n## Setup\n\n```sh\n# not a heading\n```\n\n## Usage\n";
let base: string;
let workspace: Workspace;

before(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), "ws-files-")));
  await mkdir(path.join(base, "docs"));
  await mkdir(path.join(base, "empty"));
  const files: Record<string, string | Buffer> = {
    "hello.txt": "hello world\n",
    "unicode.txt": "naïve café 😀\nline two",
    "docs/guide.md": GUIDE,
    "docs/notes.txt": "notes\n",
    "exact.txt": "x".repeat(LIMIT),
    "over.txt": "x".repeat(LIMIT + 1),
    "image.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]),
    "latin1.txt": Buffer.from([0x63, 0x61, 0x66, 0xe9]),
    "table.csv": 'name,comment\n"Smith, J","two\nlines"\nDoe,ok\n\n',
    "list.json": '[{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]',
    "broken.json": '{"id": 1,',
    "empty.txt": "",
  };
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(base, name), content);
  workspace = await createWorkspace({ root: base, maxFileBytes: LIMIT });
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

function assertNoAbsolutePaths(error: ToolError): void {
  const seen = JSON.stringify({ error, details: error.details, envelope: errorEnvelope(error, "ref_test") });
  assert.ok(!seen.includes(base), `error mentions the workspace root: ${seen}`);
}

describe("workspace.readText and stat", () => {
  it("reads a UTF-8 file under its relative path", async () => {
    assert.deepEqual(await workspace.readText("./docs/../hello.txt"), {
      path: "hello.txt",
      type: "text",
      bytes: 12,
      text: "hello world\n",
    });
  });

  it("stats a regular file", async () => {
    const info = await workspace.stat("docs/guide.md");
    assert.equal(info.path, "docs/guide.md");
    assert.equal(info.type, "markdown");
    assert.equal(info.bytes, Buffer.byteLength(GUIDE));
    assert.match(info.modified, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it("answers a directory with validation_error that says so and offers files inside", async () => {
    // Started one at a time: a promise rejecting before it is awaited is an unhandled rejection.
    const calls = [
      () => workspace.readText("docs"),
      () => workspace.stat("docs/"),
      () => workspace.analyze("docs"),
    ];
    for (const call of calls) {
      const error = await classifiedRejection(call());
      assert.equal(error.type, "validation_error");
      assert.equal(error.details.field, "path");
      assert.match(error.message, /is a directory, not a file \(invalid type\)/);
      assert.deepEqual(error.details.examples, ["docs/guide.md", "docs/notes.txt"]);
      assertNoAbsolutePaths(error);
    }
    const empty = await classifiedRejection(workspace.readText("empty"));
    assert.match(empty.suggestion ?? "", /It is empty/);
  });

  it("answers a missing file with not_found and similar sibling names", async () => {
    const error = await classifiedRejection(workspace.readText("docs/gide.md"));
    assert.equal(error.type, "not_found");
    assert.equal(error.details.resource_type, "file");
    assert.equal(error.details.identifier, "docs/gide.md");
    assert.deepEqual(error.details.similar_matches, ["docs/guide.md"]);
    assertNoAbsolutePaths(error);
    const inMissingFolder = await classifiedRejection(workspace.stat("doc/guide.md"));
    assert.deepEqual(inMissingFolder.details.similar_matches, ["docs/guide.md"]);
    const underAFile = await classifiedRejection(workspace.readText("hello.txt/more"));
    assert.equal(underAFile.type, "not_found");
    assert.match(underAFile.suggestion ?? "", /"hello.txt" is a file, not a folder/);
  });

  it("reads a file of exactly maxFileBytes and refuses one byte more, naming the limit", async () => {
    assert.equal((await workspace.readText("exact.txt")).bytes, LIMIT);
    const error = await classifiedRejection(workspace.readText("over.txt", { field: "file_paths" }));
    assert.equal(error.type, "validation_error");
    assert.equal(error.details.field, "file_paths");
    assert.equal(error.details.received, `${LIMIT + 1} bytes`);
    assert.equal(error.details.expected, `a file of at most ${LIMIT} bytes`);
    assert.match(error.message, new RegExp(`${LIMIT + 1} bytes, over the limit of ${LIMIT} bytes`));
  });

  it("refuses binary content as text but still analyzes it", async () => {
    for (const binary of ["image.png", "latin1.txt"]) {
      const error = await classifiedRejection(workspace.readText(binary));
      assert.equal(error.type, "validation_error");
      assert.match(error.message, /not UTF-8 text/);
    }
    const analysis = await workspace.analyze("image.png");
    assert.equal(analysis.encoding, "binary");
    assert.equal(analysis.type, "image");
    assert.equal(analysis.bytes, 7);
    assert.equal(analysis.lines, null);
    assert.equal(analysis.words, null);
  });

  it(
    "refuses a FIFO without blocking on it",
    { skip: process.platform === "win32" ? "no FIFOs" : false, timeout: 5000 },
    async () => {
      execFileSync("mkfifo", [path.join(base, "pipe")], { timeout: 10_000 });
      const error = await classifiedRejection(workspace.readText("pipe"));
      assert.equal(error.type, "validation_error");
      assert.match(error.message, /not a regular file/);
    },
  );
});

describe("workspace operations", () => {
  it("exports the operation list and a description of each for the tool's enum", () => {
    assert.deepEqual([...WORKSPACE_OPERATIONS], ["analyze", "checksum", "summarize"]);
    for (const operation of WORKSPACE_OPERATIONS)
      assert.ok(WORKSPACE_OPERATION_DESCRIPTIONS[operation].length > 10);
  });

  it("analyzes a known file: lines, words, characters, bytes, sha256 and type", async () => {
    const analysis = await workspace.analyze("hello.txt");
    assert.deepEqual(
      { ...analysis, modified: "" },
      {
        path: "hello.txt",
        type: "text",
        encoding: "utf-8",
        bytes: 12,
        lines: 1,
        words: 2,
        characters: 12,
        sha256: "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447",
        modified: "",
      },
    );
  });

  it("counts code points, multi-byte bytes and a last line without newline", async () => {
    const analysis = await workspace.analyze("unicode.txt");
    assert.equal(analysis.bytes, 26);
    assert.equal(analysis.characters, 21);
    assert.equal(analysis.lines, 2);
    assert.equal(analysis.words, 5);
    const empty = await workspace.analyze("empty.txt");
    assert.deepEqual([empty.bytes, empty.lines, empty.words], [0, 0, 0]);
  });

  it("checksums, through runOperation as process_files calls it", async () => {
    assert.deepEqual(await workspace.runOperation("checksum", "hello.txt"), {
      path: "hello.txt",
      algorithm: "sha256",
      sha256: "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447",
      bytes: 12,
    });
  });

  it("summarizes by structure: Markdown headings outside code, CSV with quoted fields, JSON, binary", async () => {
    const summary = async (file: string) => (await workspace.summarize(file)).summary;
    assert.equal(
      await summary("docs/guide.md"),
      "Markdown document of 11 lines with 3 headings: Guide; Setup; Usage.",
    );
    assert.equal(await summary("table.csv"), "CSV table with 2 columns (name, comment) and 2 data rows.");
    assert.equal(await summary("list.json"), "JSON array of 2 items; the first item has keys: id, name.");
    assert.match(await summary("broken.json"), /^Not valid JSON: /);
    assert.equal(await summary("image.png"), "Binary image file of 7 bytes; it has no text to summarize.");
    assert.equal(await summary("hello.txt"), 'Text file, 1 line, 2 words; first line: "hello world".');
  });

  it("refuses an unknown operation as validation_error on operation", async () => {
    const error = await classifiedRejection(
      workspace.runOperation("shred" as WorkspaceOperation, "hello.txt"),
    );
    assert.equal(error.type, "validation_error");
    assert.equal(error.details.field, "operation");
    assert.deepEqual(error.details.examples, ["analyze", "checksum", "summarize"]);
  });

  it("gives the seed's batch outcome: three files, one missing → 2 succeeded, 1 failed", async () => {
    const files = ["hello.txt", "missing.txt", "docs/guide.md"];
    const batch = await runBatch(files, (file) => workspace.runOperation("analyze", file), {
      key: (file) => file,
      itemKey: "file",
    });
    const { envelope } = aggregateBatch(batch, "ref_test");
    assert.equal(envelope.success, true);
    assert.deepEqual(envelope.summary, { total: 3, succeeded: 2, failed: 1, success_rate: 0.67 });
    const [failure, ...others] = envelope.errors;
    assert.ok(failure);
    assert.equal(others.length, 0);
    assert.equal(failure.file, "missing.txt");
    assert.equal(failure.error_type, "not_found");
    assert.ok(!JSON.stringify(envelope).includes(base));
  });
});
