import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chooseVersion, refuseCancel, refuseEnvironment, refuseStart } from "../../src/domain/deployments.js";
import { refuseUpdate } from "../../src/domain/projects.js";
import { refuseBatch } from "../../src/domain/records.js";
import { isRetryableRefusal, type DomainRefusal } from "../../src/domain/refusal.js";
import { nearestVersions } from "../../src/domain/version-proximity.js";
import { publicSuggestion } from "../../src/errors/envelope.js";
import { phraseRefusal } from "../../src/errors/refusal-wording.js";

const slot = { id: "dep_1", app: "web", environment: "staging", version: "1.0.0" } as const;

/** One refusal of every kind: the wording must cover them all, with the domain's retryability. */
const EVERY_REFUSAL: readonly DomainRefusal[] = [
  { kind: "unknown_record", collection: "projects", id: "x", known: ["website-redesign"] },
  { kind: "unknown_version", app: "web", version: "3.0.0", available: ["2.0.0", "1.0.0"] },
  { kind: "no_versions", app: "web" },
  { kind: "duplicate_record", collection: "users", index: 1, id: "1", field: "id", value: "1" },
  { kind: "invalid_value", field: "environment", received: "qa", expected: "one of: staging" },
  { kind: "project_archived", project: "data-pipeline" },
  { kind: "deployment_finished", deployment: { ...slot, status: "succeeded" } },
  { kind: "deployment_in_progress", active: { ...slot, status: "in_progress" } },
];

describe("version proximity", () => {
  it("ranks by the first differing part, newest first on a tie", () => {
    assert.deepEqual(nearestVersions("3.0.0", ["1.0.0", "2.0.0", "1.1.0"]), ["2.0.0", "1.1.0", "1.0.0"]);
    assert.deepEqual(nearestVersions("1.0.5", ["1.0.4", "1.0.6", "1.1.0", "2.0.0"]), [
      "1.0.6",
      "1.0.4",
      "1.1.0",
      "2.0.0",
    ]);
  });

  it("reads short forms and a leading v; offers nothing for what is no version", () => {
    assert.equal(nearestVersions("1.10", ["1.9.0", "1.10.0", "2.0.0"])[0], "1.10.0");
    assert.equal(nearestVersions("v2", ["1.0.0", "2.1.0", "2.0.0"])[0], "2.0.0");
    assert.deepEqual(nearestVersions("latest", ["1.0.0"]), []);
    assert.deepEqual(nearestVersions("1.0.0", ["1.0.0", "not-a-version"]), [], "never itself, never garbage");
  });
});

describe("domain rules", () => {
  it("choose the requested version, else the highest; refuse what is missing", () => {
    assert.deepEqual(chooseVersion("web", ["1.9.0", "1.10.0"], undefined), { version: "1.10.0" });
    assert.deepEqual(chooseVersion("web", ["1.9.0"], "1.9.0"), { version: "1.9.0" });
    assert.deepEqual(chooseVersion("web", [], undefined), { refusal: { kind: "no_versions", app: "web" } });
    assert.deepEqual(chooseVersion("web", ["1.0.0", "2.0.0"], "3.0.0"), {
      refusal: { kind: "unknown_version", app: "web", version: "3.0.0", available: ["2.0.0", "1.0.0"] },
    });
  });

  it("refuse a start while the slot is held, a cancel once finished, an update once archived", () => {
    assert.equal(refuseStart(undefined), undefined);
    assert.equal(refuseStart({ ...slot, status: "queued" })?.kind, "deployment_in_progress");
    assert.equal(refuseCancel({ ...slot, status: "in_progress" }), undefined);
    assert.equal(refuseCancel({ ...slot, status: "failed" })?.kind, "deployment_finished");
    assert.equal(refuseUpdate({ name: "p", status: "active" }), undefined);
    assert.equal(refuseUpdate({ name: "p", status: "archived" })?.kind, "project_archived");
    assert.equal(refuseEnvironment("staging"), undefined);
    assert.equal(refuseEnvironment("qa")?.kind, "invalid_value");
  });

  it("name the first bad value of a batch by its path", () => {
    assert.equal(refuseBatch({ users: [{ role: "viewer" }, { role: "owner" }] })?.kind, "invalid_value");
    const refused = refuseBatch({ applications: [{ versions: [{ version: "1.0.0" }, { version: "two" }] }] });
    assert.ok(refused?.kind === "invalid_value");
    assert.equal(refused.field, "applications[0].versions[1].version");
    assert.equal(refuseBatch({ items: [{ priceCents: 0 }] }), undefined);
  });

  it("only a deployment in progress clears by itself", () => {
    assert.deepEqual(
      EVERY_REFUSAL.filter(isRetryableRefusal).map((refusal) => refusal.kind),
      ["deployment_in_progress"],
    );
  });
});

describe("refusal wording", () => {
  it("phrases every kind with the retryability the domain decided", () => {
    for (const refusal of EVERY_REFUSAL) {
      const error = phraseRefusal(refusal);
      assert.equal(error.retryable, isRetryableRefusal(refusal), refusal.kind);
      assert.ok(publicSuggestion(error, "ref_test").length > 0, `${refusal.kind} has a suggestion`);
    }
  });

  it("types: not_found, already_exists, validation_error and conflict", () => {
    assert.deepEqual(
      EVERY_REFUSAL.map((refusal) => phraseRefusal(refusal).type),
      [
        "not_found",
        "not_found",
        "not_found",
        "already_exists",
        "validation_error",
        "conflict",
        "conflict",
        "conflict",
      ],
    );
  });

  it("offers versions by proximity and names a batch's failed record", () => {
    const version = phraseRefusal(EVERY_REFUSAL[1] as DomainRefusal);
    assert.deepEqual(version.details.similar_matches, ["2.0.0", "1.0.0"]);
    const duplicate = phraseRefusal(EVERY_REFUSAL[3] as DomainRefusal);
    assert.deepEqual(duplicate.details.failed_record, { collection: "users", index: 1, id: "1" });
  });
});
