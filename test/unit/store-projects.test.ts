import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RefusalError } from "../../src/domain/refusal.js";
import { classifyError } from "../../src/errors/classify.js";
import type { ToolError } from "../../src/errors/tool-error.js";
import { storeBackends } from "../helpers/store-backends.js";

/** A clock that moves one second per reading, so updatedAt visibly changes. */
function steppingClock(): () => Date {
  let seconds = 0;
  return () => new Date(Date.UTC(2025, 1, 3, 12, 0, seconds++));
}

/** The store refused (typed data, no wording), and the error service phrases it as `type`. */
function toolError(type: string, check: (error: ToolError) => void = () => undefined) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof RefusalError, `expected a RefusalError, got ${String(error)}`);
    const phrased = classifyError(error);
    assert.equal(phrased.type, type);
    check(phrased);
    return true;
  };
}

for (const backend of storeBackends()) {
  describe(`${backend.name}: projects`, () => {
    it("creates a project and reads it back", async (t) => {
      const store = await backend.open(t);
      const created = await store.createProject("analytics", { visibility: "private", limits: { seats: 5 } });
      assert.equal(created.status, "active");
      assert.deepEqual(await store.getProject("analytics"), created);
      assert.deepEqual(created.settings, { visibility: "private", limits: { seats: 5 } });
      assert.equal((await store.listProjects()).length, 4);
    });

    it("refuses a duplicate name with already_exists and changes nothing", async (t) => {
      const store = await backend.open(t);
      const before = await store.getProject("mobile-app");
      await assert.rejects(
        store.createProject("mobile-app", { visibility: "public" }),
        toolError("already_exists", (error) => {
          assert.equal(error.details.resource_type, "project");
          assert.equal(error.details.identifier, "mobile-app");
        }),
      );
      assert.deepEqual(await store.getProject("mobile-app"), before);
      assert.equal((await store.listProjects()).length, 3);
    });

    it("merges settings on update (RFC 7396: nested keys merge, null deletes) and bumps updatedAt", async (t) => {
      const store = await backend.open(t, { clock: steppingClock() });
      await store.createProject("analytics", {
        visibility: "private",
        owner: "1",
        limits: { seats: 5, gb: 10 },
      });
      const before = await store.getProject("analytics");
      const updated = await store.updateProject("analytics", {
        owner: null,
        limits: { seats: 8 },
        region: "eu",
      });
      assert.deepEqual(updated.settings, {
        visibility: "private",
        limits: { seats: 8, gb: 10 },
        region: "eu",
      });
      assert.ok(before !== undefined && updated.updatedAt > before.updatedAt);
      assert.equal(updated.createdAt, before.createdAt);
    });

    it("answers a missing project with not_found and similar names", async (t) => {
      const store = await backend.open(t);
      for (const attempt of [
        () => store.updateProject("website-redesing", {}),
        () => store.deleteProject("website-redesing"),
        () => store.archiveProject("website-redesing"),
      ]) {
        await assert.rejects(
          attempt(),
          toolError("not_found", (error) => {
            assert.equal(error.details.identifier, "website-redesing");
            assert.equal(error.details.similar_matches?.[0], "website-redesign");
          }),
        );
      }
      assert.equal(await store.getProject("website-redesing"), undefined);
    });

    it("archives idempotently, refuses updates to an archived project, and still deletes it", async (t) => {
      const store = await backend.open(t);
      const archived = await store.archiveProject("data-pipeline");
      assert.equal(archived.status, "archived");
      assert.ok(archived.archivedAt !== null);
      assert.deepEqual(await store.archiveProject("data-pipeline"), archived);
      await assert.rejects(
        store.updateProject("data-pipeline", { schedule: "daily" }),
        toolError("conflict"),
      );
      assert.deepEqual((await store.getProject("data-pipeline"))?.settings, archived.settings);

      const deleted = await store.deleteProject("data-pipeline");
      assert.equal(deleted.name, "data-pipeline");
      assert.equal(await store.getProject("data-pipeline"), undefined);
      await assert.rejects(store.deleteProject("data-pipeline"), toolError("not_found"));
    });

    it("rejects settings that are not a JSON object with validation_error", async (t) => {
      const store = await backend.open(t);
      const notAnObject = ["a", "b"] as unknown as Record<string, never>;
      await assert.rejects(
        store.createProject("analytics", notAnObject),
        toolError("validation_error", (error) => {
          assert.equal(error.details.field, "settings");
        }),
      );
      assert.equal(await store.getProject("analytics"), undefined);
    });
  });

  describe(`${backend.name}: users, items and applications`, () => {
    it("finds users and items by id and misses cleanly", async (t) => {
      const store = await backend.open(t);
      assert.equal((await store.getUser("2"))?.name, "Bob");
      assert.equal(await store.getUser("3"), undefined);
      assert.deepEqual(
        (await store.listItems()).map((item) => item.id),
        ["item-001", "item-002", "item-003", "item-004", "item-005"],
      );
      assert.equal(await store.getItem("item-1"), undefined);
    });

    it("reports the highest semver as latest and lists versions highest first", async (t) => {
      const store = await backend.open(t);
      assert.equal((await store.getApplication("api-gateway"))?.latestVersion, "1.10.0");
      assert.deepEqual(
        (await store.listAppVersions("api-gateway")).map((version) => version.version),
        ["1.10.0", "1.9.0", "1.2.0"],
      );
      assert.deepEqual(
        (await store.listAppVersions("billing-service")).map((version) => version.version),
        ["2.0.0", "1.2.0-bad", "1.1.0", "1.0.0"],
      );
      const latest = Object.fromEntries(
        (await store.listApplications()).map((app) => [app.name, app.latestVersion]),
      );
      assert.deepEqual(latest, {
        "api-gateway": "1.10.0",
        "billing-service": "2.0.0",
        "web-frontend": "2.0.0",
      });
      assert.equal(await store.getApplication("web-frontent"), undefined);
    });

    it("answers versions of an unknown application with not_found and a similar name", async (t) => {
      const store = await backend.open(t);
      await assert.rejects(
        store.listAppVersions("web-frontent"),
        toolError("not_found", (error) => {
          assert.equal(error.details.resource_type, "application");
          assert.deepEqual(error.details.similar_matches?.slice(0, 1), ["web-frontend"]);
        }),
      );
    });
  });
}
