import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findSimilar } from "../../src/errors/similar-matches.js";

describe("findSimilar", () => {
  const projects = [
    "alpha",
    "alpha-web",
    "beta",
    "gamma",
    "delta",
    "analytics",
    "billing-service",
    "web-frontend",
  ];

  it("finds typos, closest first", () => {
    assert.deepEqual(findSimilar("alpah", projects).slice(0, 1), ["alpha"]);
    assert.deepEqual(findSimilar("detla", projects), ["delta", "beta"]);
  });

  it("ignores case, and puts a same-name-other-case first", () => {
    assert.deepEqual(findSimilar("BETA", projects)[0], "beta");
    assert.deepEqual(findSimilar("Alpha", ["alpha", "alphas"]), ["alpha", "alphas"]);
  });

  it("boosts prefixes and substrings of a partial name", () => {
    assert.deepEqual(findSimilar("billing", projects), ["billing-service"]);
    assert.deepEqual(findSimilar("frontend", projects), ["web-frontend"]);
    assert.deepEqual(findSimilar("alpha", projects), ["alpha-web"], "an exact match is not a suggestion");
  });

  it("leaves out what is too far off, relative to length", () => {
    assert.deepEqual(findSimilar("zzzzzz", projects), []);
    assert.deepEqual(findSimilar("ab", ["alpha", "beta"]), [], "short queries do not match by affix");
  });

  it("caps the list and dedupes", () => {
    const many = Array.from({ length: 20 }, (_, index) => `report-${index}`);
    assert.equal(findSimilar("report", [...many, ...many]).length, 5);
    assert.equal(findSimilar("report", many, { limit: 2 }).length, 2);
    assert.deepEqual(findSimilar("", projects), []);
  });
});
