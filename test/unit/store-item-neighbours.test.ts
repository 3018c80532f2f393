import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NewItem } from "../../src/backends/store/store.js";
import { storeBackends } from "../helpers/store-backends.js";

// 400 items beside the seed: enough that a full scan and a bounded read differ in what they return.
const ITEMS: NewItem[] = Array.from({ length: 400 }, (_, i) => ({
  id: `bulk-${String(i).padStart(4, "0")}`,
  name: `Gadget ${String(i).padStart(4, "0")}`,
  priceCents: 100 + i,
}));

for (const backend of storeBackends()) {
  describe(`${backend.name}: itemNeighbours, the bounded did-you-mean read`, () => {
    it("returns the ids next to a mistyped id, at most perSide on each side of each index", async (t) => {
      const store = await backend.open(t);
      await store.importRecords({ items: ITEMS });
      const near = await store.itemNeighbours("bulk-0150x", 5);
      const ids = near.map((item) => item.id);
      assert.ok(ids.includes("bulk-0150"), `bulk-0150 should neighbour bulk-0150x; got ${ids.join(", ")}`);
      assert.ok(ids.includes("bulk-0151"), `bulk-0151 should follow bulk-0150x; got ${ids.join(", ")}`);
      // Three spellings of the query × two indexes × two sides × 5, and far fewer than the table.
      assert.ok(near.length <= 60, `at most 60 candidates, got ${near.length}`);
      assert.equal(new Set(ids).size, ids.length, "each candidate once");
    });

    it("finds names typed in lower case through the capitalised spelling", async (t) => {
      const store = await backend.open(t);
      await store.importRecords({ items: ITEMS });
      const near = await store.itemNeighbours("gadget 0399", 3);
      assert.ok(
        near.some((item) => item.name === "Gadget 0399"),
        `"Gadget 0399" should be a candidate for "gadget 0399"; got ${near.map((i) => i.name).join(", ")}`,
      );
    });
  });
}
