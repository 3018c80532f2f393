import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { evaluateReadiness } from "../../src/health/readiness.js";
import { createMetrics } from "../../src/observability/metrics.js";

const markdown = readFileSync(new URL("../../docs/metrics.md", import.meta.url), "utf8");

interface Family {
  readonly name: string;
  readonly type: string;
  readonly labels: readonly string[];
}

/** Every family the app registers besides prom-client's defaults, with its type and labels. */
async function registered(): Promise<Family[]> {
  const metrics = createMetrics({
    defaultMetrics: false,
    sessionLimit: 1,
    readiness: () => evaluateReadiness([], false),
  });
  const { registry } = metrics;
  return Promise.all(
    (await registry.getMetricsAsJSON()).map(async ({ name }) => {
      const metric = registry.getSingleMetric(name);
      assert.ok(metric);
      const { type } = await metric.get();
      return {
        name,
        type: String(type),
        labels: (metric as unknown as { labelNames?: string[] }).labelNames ?? [],
      };
    }),
  );
}

/** The families docs/metrics.md documents: "**`name`** (type) `{a, b}`". */
function documented(): Family[] {
  return [
    ...markdown.matchAll(/^- \*\*`([a-z_]+)`\*\* \((counter|gauge|histogram)\)(?: `\{([^}]*)\}`)?/gm),
  ].map((match) => ({
    name: match[1] ?? "",
    type: match[2] ?? "",
    labels: (match[3] ?? "").split(",").flatMap((label) => (label.trim() === "" ? [] : [label.trim()])),
  }));
}

describe("docs/metrics.md", () => {
  it("documents exactly the families the app registers, with their types and labels", async () => {
    const byName = (families: Family[]) => [...families].sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(byName(documented()), byName(await registered()));
  });

  it("describes every label name in its table of concepts", async () => {
    const table = markdown.split("## One name per concept")[1]?.split("\n## ")[0] ?? "";
    const described = new Set([...table.matchAll(/^\| `([a-z_]+)`/gm)].map((match) => match[1]));
    const used = new Set((await registered()).flatMap((family) => family.labels));
    for (const label of used) {
      if (label === "reason" || label === "state" || label === "check" || label.startsWith("http_")) continue;
      assert.ok(described.has(label), `${label} is described`);
    }
  });
});
