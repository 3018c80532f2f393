import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { duplicateKeys } from "../helpers/duplicate-keys.js";

describe("duplicateKeys (the log-line check's scanner)", () => {
  it("finds a key repeated at the top, nested in an object, or in an object inside an array", () => {
    assert.deepEqual(duplicateKeys('{"service":"a","level":30,"service":"b"}'), ["service"]);
    assert.deepEqual(duplicateKeys('{"err":{"type":"X","type":"Y"}}'), ["err.type"]);
    assert.deepEqual(duplicateKeys('{"items":[{"id":1},{"id":2,"id":3}]}'), ["items[].id"]);
  });

  it("finds nothing in a line without duplicates, whatever its strings hold", () => {
    assert.deepEqual(
      duplicateKeys('{"a":"{\\"a\\":1,\\"a\\":2}","b":[1,"x,y",{"a":1}],"c":{"a":{"a":1}},"d":"\\\\"}'),
      [],
    );
  });
});
