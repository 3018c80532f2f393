import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { EventHistoryBudget } from "../../src/mcp/event-history-budget.js";
import { BoundedEventStore, EventIdExpiredError } from "../../src/mcp/event-store.js";

/** A notification whose JSON is about `bytes` long. */
function message(bytes: number): JSONRPCMessage {
  return { jsonrpc: "2.0", method: "notifications/message", params: { data: "x".repeat(bytes) } };
}

async function replayed(store: BoundedEventStore, after: string): Promise<string[]> {
  const sent: string[] = [];
  await store.replayEventsAfter(after, {
    send: (eventId) => {
      sent.push(eventId);
      return Promise.resolve();
    },
  });
  return sent;
}

describe("SSE event history bounded in bytes", () => {
  it("one session keeps at most maxBytes, oldest evicted; a resumption from an evicted id is refused", async () => {
    const store = new BoundedEventStore({ maxEvents: 10_000, maxBytes: 10_000 });
    const ids: string[] = [];
    for (let index = 0; index < 100; index++) ids.push(await store.storeEvent("s1", message(1000)));
    assert.ok(store.heldBytes <= 10_000, `${store.heldBytes} bytes held`);
    assert.ok(store.size >= 8 && store.size <= 10, `${store.size} events held`);
    await assert.rejects(replayed(store, ids[0] ?? ""), EventIdExpiredError);
    const newest = await replayed(store, ids[ids.length - store.size] ?? "");
    assert.deepEqual(newest, ids.slice(ids.length - store.size + 1));
  });

  it("all sessions together stay under the shared total, the oldest event of any session going first", async () => {
    const shared = new EventHistoryBudget(25_000);
    const quiet = new BoundedEventStore({ maxEvents: 10_000, maxBytes: 20_000, shared });
    const chatty = new BoundedEventStore({ maxEvents: 10_000, maxBytes: 20_000, shared });
    const quietIds: string[] = [];
    for (let index = 0; index < 10; index++) quietIds.push(await quiet.storeEvent("q", message(1000)));
    for (let index = 0; index < 200; index++) await chatty.storeEvent("c", message(1000));
    assert.ok(shared.usedBytes <= 25_000, `${shared.usedBytes} bytes held in all`);
    assert.equal(
      shared.usedBytes,
      quiet.heldBytes + chatty.heldBytes,
      "the budget counts what the stores hold",
    );
    // 10 KB quiet + 20 KB chatty (its own cap) is over 25 KB: the oldest events, the quiet ones, go.
    assert.ok(quiet.size >= 4 && quiet.size <= 6, `the quiet session kept ${quiet.size} events`);
    await assert.rejects(replayed(quiet, quietIds[0] ?? ""), EventIdExpiredError);
    assert.ok(quiet.holds(quietIds.at(-1) ?? ""), "the quiet session kept its newest event");
    chatty.dispose();
    assert.equal(shared.usedBytes, quiet.heldBytes, "an ended session gives its bytes back");
  });
});
