import assert from "node:assert/strict";
import { lstat, readdir } from "node:fs/promises";
import path from "node:path";
import { before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createWorkspace, WORKSPACE_DEFAULTS, type Workspace } from "../../src/backends/workspace/index.js";
import { aggregateBatch, runBatch } from "../../src/errors/batch.js";

// The sample folder `npm start` serves by default (WORKSPACE_DIR).
const SAMPLE = fileURLToPath(new URL("../../workspace/", import.meta.url));
const EXPECTED = [
  "README.md",
  "data/customers.json",
  "data/sales-2023.csv",
  "data/sales-2024.csv",
  "docs/api-reference.md",
  "docs/guide.md",
  "notes/todo.txt",
  "src/app.py",
];

let workspace: Workspace;
let files: string[];

before(async () => {
  workspace = await createWorkspace({ root: SAMPLE });
  const entries = await readdir(SAMPLE, { recursive: true });
  files = [];
  for (const entry of entries) {
    if ((await lstat(path.join(SAMPLE, entry))).isFile()) files.push(entry.split(path.sep).join("/"));
  }
  files.sort();
});

describe("the shipped sample workspace", () => {
  it("holds the files the docs' examples use", () => {
    assert.deepEqual(files, EXPECTED);
  });

  it("holds only plain files and folders, small enough for the default limit", async () => {
    for (const entry of await readdir(SAMPLE, { recursive: true })) {
      const info = await lstat(path.join(SAMPLE, entry));
      assert.ok(!info.isSymbolicLink(), `${entry} is a symlink`);
      if (info.isFile()) assert.ok(info.size < WORKSPACE_DEFAULTS.maxFileBytes, `${entry} is too large`);
    }
  });

  it("has no .ts/.js files, which `eslint .` would try to type-check outside any tsconfig", () => {
    assert.deepEqual(
      files.filter((file) => /\.(c|m)?[jt]sx?$/u.test(file)),
      [],
    );
  });

  it("gives every file a known type and text figures", async () => {
    for (const file of files) {
      const analysis = await workspace.analyze(file);
      assert.notEqual(analysis.type, "unknown", file);
      assert.equal(analysis.encoding, "utf-8", file);
      assert.ok((analysis.lines ?? 0) > 0, file);
    }
  });

  it("answers the README's search example: both years of sales data", async () => {
    const result = await workspace.search("sales");
    assert.deepEqual(result.matches, ["data/sales-2023.csv", "data/sales-2024.csv"]);
    assert.equal(result.truncated, false);
  });

  it("answers the README's batch example: 2 succeeded, 1 failed with a suggestion", async () => {
    const batch = await runBatch(
      ["README.md", "docs/guide.md", "data/missing.csv"],
      (file) => workspace.runOperation("analyze", file),
      { key: (file) => file, itemKey: "file" },
    );
    const { envelope } = aggregateBatch(batch, "ref_sample");
    assert.equal(envelope.success, true);
    assert.equal(envelope.summary.succeeded, 2);
    assert.equal(envelope.summary.failed, 1);
    const [failure] = envelope.errors;
    assert.ok(failure);
    assert.equal(failure.error_type, "not_found");
    assert.match(failure.suggestion, /sales-2024\.csv/);
  });

  it("has data files that parse: the CSV summary and the JSON customers", async () => {
    const sales = await workspace.summarize("data/sales-2024.csv");
    assert.equal(
      sales.summary,
      "CSV table with 5 columns (month, region, product, units, revenue) and 12 data rows.",
    );
    const customers = JSON.parse((await workspace.readText("data/customers.json")).text) as {
      customers: unknown[];
    };
    assert.equal(customers.customers.length, 4);
  });
});
