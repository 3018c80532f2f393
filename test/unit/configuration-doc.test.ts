import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { loadConfig } from "../../config/load.js";
import { configSchema } from "../../config/schema.js";

const doc = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");

/**
 * Rows of every table in docs/configuration.md: variable → default as written ("—": unset,
 * no default).
 */
function documentedVariables(): Map<string, string | undefined> {
  const rows = new Map<string, string | undefined>();
  for (const match of doc.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(?:`([^`]*)`|—)\s*\|/gm)) {
    const name = match[1] ?? "";
    assert.ok(!rows.has(name), `${name} is documented twice`);
    rows.set(name, match[2]);
  }
  return rows;
}

describe("docs/configuration.md", () => {
  it("documents exactly the variables the schema reads", () => {
    assert.deepEqual([...documentedVariables().keys()].sort(), Object.keys(configSchema.shape).sort());
  });

  it("shows the defaults the schema applies", () => {
    for (const [name, documented] of documentedVariables()) {
      if (documented === undefined) continue;
      // Loading the documented default explicitly must give the same config as leaving it unset.
      assert.deepEqual(loadConfig({ [name]: documented }), loadConfig({}), `${name} default in the docs`);
    }
  });
});
