import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { REFERENCE_ID_PATTERN, newReferenceId, referenceIdTime } from "../../src/errors/reference-id.js";

describe("reference ids", () => {
  it("are ref_ plus 16 Crockford base32 characters", () => {
    const id = newReferenceId(Date.UTC(2025, 1, 3));
    assert.match(id, REFERENCE_ID_PATTERN);
    assert.equal(id.length, 20);
    assert.doesNotMatch(id.slice(4), /[ILOU]/);
  });

  it("sort by time and carry their timestamp", () => {
    const earlier = newReferenceId(1_700_000_000_000);
    const later = newReferenceId(1_700_000_000_001);
    assert.ok(earlier.slice(0, 14) < later.slice(0, 14));
    assert.equal(referenceIdTime(earlier), 1_700_000_000_000);
    assert.equal(referenceIdTime("ref_nope"), undefined);
  });

  it("differ within one millisecond, and are reproducible with fixed randomness", () => {
    const ids = new Set(Array.from({ length: 200 }, () => newReferenceId(5)));
    assert.ok(ids.size > 195);
    const fixed = () => new Uint8Array([0xff, 0xff, 0xff, 0xff]);
    assert.equal(newReferenceId(0, fixed), "ref_0000000000ZZZZZZ");
  });
});
