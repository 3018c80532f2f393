import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { describe, it } from "node:test";
import { connectClient } from "../helpers/mcp-client.js";
import { startServer } from "../helpers/test-server.js";
import { callEnvelope } from "../helpers/tool-calls.js";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";

const ROUNDS = 15;

/** The median time of a get_item miss (with its did-you-mean), over ROUNDS calls. */
async function medianMissMs(client: Client): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    const { envelope } = await callEnvelope(client, "get_item", { id: `item-zz${String(round)}` });
    times.push(performance.now() - started);
    assert.equal(envelope.error?.type, "not_found");
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

describe("did-you-mean is bounded whatever the table size", () => {
  it("a get_item miss costs about the same with 10,000 items as with the seed's, and still suggests", async () => {
    const server = await startServer();
    const { client } = await connectClient(server.mcpUrl);
    try {
      await medianMissMs(client); // warm-up: the first calls compile the code paths
      const small = await medianMissMs(client);
      const items = Array.from({ length: 10_000 }, (_, index) => ({
        id: `bulk-${String(index).padStart(5, "0")}`,
        name: `Bulk item ${String(index).padStart(5, "0")}`,
        priceCents: index,
      }));
      await server.services.backends.store.importRecords({ items });
      const large = await medianMissMs(client);
      console.log("get_item miss median", {
        seeded_ms: small.toFixed(2),
        with_10000_items_ms: large.toFixed(2),
      });
      // Same run, a ratio: a full scan with edit distances made this ~40× slower.
      assert.ok(
        large <= small * 3,
        `miss took ${large.toFixed(1)} ms with 10,000 items vs ${small.toFixed(1)} ms`,
      );

      const typo = await callEnvelope(client, "get_item", { id: "bulk-00042x" });
      assert.ok(
        typo.envelope.error?.similar_matches?.includes("bulk-00042"),
        JSON.stringify(typo.envelope.error),
      );
      const byName = await callEnvelope(client, "get_item", { id: "BULK ITEM 07777" });
      assert.equal(byName.envelope.data?.id, "bulk-07777", "an exact name in another case still matches");
    } finally {
      await client.close();
      await server.close();
    }
  });
});
