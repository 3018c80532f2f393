import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { loadConfig } from "../../config/load.js";
import { configSchema } from "../../config/schema.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

/** Rows of the README's configuration table: variable → default as written ("—": unset, none). */
function documentedVariables(): Map<string, string | undefined> {
  const section = readme.split("## Configuration")[1]?.split("\n## ")[0] ?? "";
  const rows = new Map<string, string | undefined>();
  for (const match of section.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(?:`([^`]*)`|—)\s*\|/gm)) {
    rows.set(match[1] ?? "", match[2]);
  }
  return rows;
}

describe("README configuration table", () => {
  it("documents exactly the variables the schema reads", () => {
    assert.deepEqual([...documentedVariables().keys()].sort(), Object.keys(configSchema.shape).sort());
  });

  it("shows the defaults the schema applies", () => {
    for (const [name, documented] of documentedVariables()) {
      // Loading the documented default explicitly must give the same config as leaving it unset.
      if (documented === undefined) continue;
      assert.deepEqual(loadConfig({ [name]: documented }), loadConfig({}), `${name} default in README`);
    }
  });
});
