import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareSemver, isSemver, parseSemver, sortVersionsDescending } from "../../src/domain/semver.js";

describe("semver ordering", () => {
  it("orders numeric parts as numbers, not text (1.10.0 is above 1.9.0)", () => {
    assert.deepEqual(sortVersionsDescending(["1.9.0", "1.10.0", "1.2.0", "0.9.12", "10.0.0"]), [
      "10.0.0",
      "1.10.0",
      "1.9.0",
      "1.2.0",
      "0.9.12",
    ]);
  });

  it("follows the pre-release precedence example of semver.org §11", () => {
    const ascending = [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
    ];
    const shuffled = [
      ascending[4],
      ascending[7],
      ascending[0],
      ascending[6],
      ascending[2],
      ascending[5],
      ascending[1],
      ascending[3],
    ];
    assert.deepEqual(sortVersionsDescending(shuffled.map(String)), [...ascending].reverse());
  });

  it("ignores build metadata and treats equal precedence as 0", () => {
    assert.equal(compareSemver("1.0.0+build.1", "1.0.0+build.2"), 0);
    assert.ok(compareSemver("1.2.0-bad", "1.2.0") < 0);
    assert.ok(compareSemver("1.2.0-bad", "1.1.0") > 0);
  });

  it("accepts only semver 2.0.0 strings and sorts anything else below every version without throwing", () => {
    for (const good of ["0.0.0", "1.2.3", "1.0.0-rc.1", "1.0.0-x-y.7+sha.5114f85"])
      assert.ok(isSemver(good), good);
    for (const bad of ["1.0", "v1.0.0", "01.0.0", "1.0.0-", "1.0.0-01", "", "latest"])
      assert.ok(!isSemver(bad), bad);
    assert.deepEqual(sortVersionsDescending(["latest", "0.0.1", "beta"]), ["0.0.1", "latest", "beta"]);
    assert.deepEqual(parseSemver("2.10.3-rc.1"), { major: 2, minor: 10, patch: 3, prerelease: ["rc", "1"] });
  });
});
