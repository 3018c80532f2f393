import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { z } from "zod";
import {
  ERROR_CATALOG,
  ERROR_TYPES,
  EXTERNAL_SERVICE_KINDS,
  EXTERNAL_SERVICE_KIND_CATALOG,
  TOOL_OUTCOMES,
  type Retryability,
} from "../../src/errors/catalog.js";
import { failureClass } from "../../src/errors/tool-failure.js";
import { createLogger } from "../../src/observability/logger.js";
import { createMetrics } from "../../src/observability/metrics.js";
import { defineTool } from "../../src/tools/tool-definition.js";
import { createToolRunner } from "../../src/tools/tool-runner.js";

// As fastify does with its error list: the documentation is parsed and compared with the catalog
// both ways, so neither can change alone.

const DOC = new URL("../../docs/errors.md", import.meta.url);

function tableAfterHeader(markdown: string, header: readonly string[]): string[][] {
  const lines = markdown.split("\n");
  const cells = (line: string) =>
    line
      .trim()
      .replace(/^\||\|$/g, "")
      .split("|")
      .map((cell) => cell.trim());
  const start = lines.findIndex(
    (line) => line.trim().startsWith("|") && cells(line).join("|") === header.join("|"),
  );
  assert.ok(start >= 0, `docs/errors.md has a table headed ${header.join(" | ")}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.trim().startsWith("|")) break;
    rows.push(cells(line));
  }
  return rows;
}

function unquote(cell: string): string {
  return cell.replace(/^`|`$/g, "");
}

function retryableCell(value: Retryability): string {
  return value === "by_kind" ? "by kind" : value ? "yes" : "no";
}

describe("docs/errors.md", async () => {
  const markdown = await readFile(DOC, "utf8");

  it("lists exactly the catalog's types, with the same code, title, retryability, suggestion and description", () => {
    const rows = tableAfterHeader(markdown, [
      "type",
      "code",
      "title",
      "retryable",
      "default suggestion",
      "when",
    ]);
    const documented = rows.map((row) => unquote(row[0] ?? ""));
    assert.deepEqual(documented, [...ERROR_TYPES], "same types, same order");
    for (const row of rows) {
      const [type, code, title, retryable, suggestion, when] = row;
      const entry = ERROR_CATALOG[unquote(type ?? "") as keyof typeof ERROR_CATALOG];
      assert.deepEqual(
        { code, title, retryable, suggestion, when },
        {
          code: String(entry.code),
          title: entry.title,
          retryable: retryableCell(entry.retryable),
          suggestion: entry.suggestion,
          when: entry.description,
        },
        `row of ${entry.type}`,
      );
    }
  });

  it("gives every type the failure-block class the code gives it", () => {
    const rows = tableAfterHeader(markdown, ["type", "class"]);
    assert.deepEqual(
      rows.map(([type, failure]) => [unquote(type ?? ""), failure]),
      ERROR_TYPES.map((type) => [type, failureClass(type)]),
    );
  });

  it("lists exactly the external-service kinds", () => {
    const rows = tableAfterHeader(markdown, ["kind", "retryable", "default suggestion", "when"]);
    assert.deepEqual(
      rows.map((row) => unquote(row[0] ?? "")),
      [...EXTERNAL_SERVICE_KINDS],
    );
    for (const [kind, retryable, suggestion, when] of rows) {
      const entry =
        EXTERNAL_SERVICE_KIND_CATALOG[unquote(kind ?? "") as keyof typeof EXTERNAL_SERVICE_KIND_CATALOG];
      assert.deepEqual(
        { retryable, suggestion, when },
        { retryable: retryableCell(entry.retryable), suggestion: entry.suggestion, when: entry.description },
      );
    }
  });

  it("documents the metric label values the catalog defines", () => {
    const values = (metric: string, label: string) => {
      const line = markdown
        .split("\n")
        .find((text) => text.includes(`\`${metric}{`) && text.includes(`\`${label}\` is one of`));
      assert.ok(line, `a line documents ${metric} ${label}`);
      const listed = line.slice(line.indexOf("is one of")).match(/`([a-z_]+)`/g) ?? [];
      return listed.map(unquote);
    };
    assert.deepEqual(values("mcp_tool_errors_total", "error_type"), [...ERROR_TYPES]);
    assert.deepEqual(values("mcp_tool_calls_total", "outcome"), [...TOOL_OUTCOMES]);
  });

  it("matches the label values the runner actually registers", async () => {
    const metrics = createMetrics({ activeSessions: () => 0, defaultMetrics: false });
    const tool = defineTool({
      name: "noop",
      description: "Does nothing.",
      annotations: {},
      input: z.object({}),
      handler: async () => Promise.resolve({}),
    });
    createToolRunner({
      tools: [tool],
      logger: createLogger({ level: "silent" }),
      metrics,
      defaultTimeoutMs: 1000,
    });
    const errors = await metrics.toolErrors.get();
    assert.deepEqual(new Set(errors.values.map((value) => value.labels.error_type)), new Set(ERROR_TYPES));
    const calls = await metrics.toolCalls.get();
    assert.deepEqual(new Set(calls.values.map((value) => value.labels.outcome)), new Set(TOOL_OUTCOMES));
  });
});
