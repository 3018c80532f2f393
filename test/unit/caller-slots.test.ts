import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CallerSlots } from "../../src/limits/caller-slots.js";

const never = new AbortController().signal;

describe("CallerSlots: at most N calls per caller at once, the rest in turn", () => {
  it("queues a caller's call past its slots and hands the freed slot to it", async () => {
    const slots = new CallerSlots(2);
    const first = await slots.acquire("a", 1000, never);
    const second = await slots.acquire("a", 1000, never);
    assert.ok(first && second, "two slots are free at once");
    let thirdGranted = false;
    const third = slots.acquire("a", 1000, never).then((release) => {
      thirdGranted = true;
      return release;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(thirdGranted, false, "the third call waits while two run");
    first();
    first(); // releasing twice gives back one slot only
    const release = await third;
    assert.ok(release, "the freed slot goes to the waiting call");
    // Both slots are held again (second and third): a fourth call gives up after its wait.
    assert.equal(await slots.acquire("a", 20, never), undefined, "no slot within 20 ms");
  });

  it("never makes one caller wait for another's slots", async () => {
    const slots = new CallerSlots(1);
    assert.ok(await slots.acquire("a", 1000, never));
    const other = await slots.acquire("b", 1000, never);
    assert.ok(other, "caller b has its own slot while a holds its only one");
  });

  it("stops waiting when the call is cancelled, and the slot is not lost", async () => {
    const slots = new CallerSlots(1);
    const held = await slots.acquire("a", 1000, never);
    const cancel = new AbortController();
    const waiting = slots.acquire("a", 5000, cancel.signal);
    cancel.abort();
    assert.equal(await waiting, undefined, "a cancelled wait resolves without a slot");
    held!();
    assert.ok(await slots.acquire("a", 10, never), "the slot is free again once released");
  });
});
