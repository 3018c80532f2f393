import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { connectClient } from "../helpers/mcp-client.js";
import { callEnvelope, followStep } from "../helpers/tool-calls.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";

describe("the seed article's tests, over HTTP with the SDK client", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  it("a validation error includes a suggestion", async () => {
    const { client } = await connectClient(server.mcpUrl);
    for (const user_id of ["", "abc"]) {
      const { envelope } = await callEnvelope(client, "get_user", { user_id });
      assert.equal(envelope.success, false);
      assert.equal(envelope.error.type, "validation_error");
      assert.equal(envelope.error.field, "user_id");
      assert.ok(envelope.error.suggestion.length > 0);
    }
    const ok = await callEnvelope(client, "get_user", { user_id: 1 });
    assert.equal(ok.envelope.data.name, "Alice", "a numeric id sent as a number is accepted");
    await client.close();
  });

  it("a not_found error includes alternatives", async () => {
    const { client } = await connectClient(server.mcpUrl);
    const { envelope } = await callEnvelope(client, "get_item", { id: "item-01" });
    assert.equal(envelope.error.type, "not_found");
    assert.equal(envelope.error.similar_matches[0], "item-001");
    assert.match(envelope.error.suggestion, /Did you mean: item-001/);
    const user = await callEnvelope(client, "get_user", { user_id: "3" });
    assert.equal(user.envelope.error.type, "not_found");
    assert.ok("similar_matches" in user.envelope.error || "suggestion" in user.envelope.error);
    await client.close();
  });

  it("a batch of three files with one missing gives 2 succeeded, 1 failed and one error, with progress", async () => {
    const { client } = await connectClient(server.mcpUrl);
    const progress: Progress[] = [];
    const { result, envelope } = await callEnvelope(
      client,
      "process_files",
      { file_paths: ["README.md", "missing.txt", "docs/guide.md"] },
      { onprogress: (step) => progress.push(step) },
    );
    assert.equal(result.isError, false);
    assert.equal(envelope.success, true);
    assert.equal(envelope.summary.succeeded, 2);
    assert.equal(envelope.summary.failed, 1);
    assert.equal(envelope.errors?.length, 1);
    assert.equal(envelope.errors?.[0].file, "missing.txt");
    assert.equal(envelope.errors?.[0].error_type, "not_found");
    assert.equal(envelope.error_summary.by_type.not_found, 1);
    assert.deepEqual(envelope.results?.map((item: { file: string }) => item.file).sort(), [
      "README.md",
      "docs/guide.md",
    ]);
    assert.ok(progress.length >= 2, "progress notifications arrived");
    assert.equal(progress.at(-1)?.progress, 3);
    await client.close();
  });

  it("search_files returns structured results and refuses paths outside the workspace", async () => {
    const { client } = await connectClient(server.mcpUrl);
    const found = await callEnvelope(client, "search_files", { query: "sales", path: "data" });
    assert.deepEqual(found.envelope.data.matches, ["data/sales-2023.csv", "data/sales-2024.csv"]);
    assert.equal(found.envelope.data.searched_path, "data");
    const missing = await callEnvelope(client, "search_files", { query: "sales", path: "dta" });
    assert.equal(missing.envelope.error.type, "not_found");
    assert.deepEqual(missing.envelope.error.similar_matches, ["data"]);
    for (const path of ["../", "/etc", "data/%2e%2e/%2e%2e", "..\\.."]) {
      const refused = await callEnvelope(client, "search_files", { query: "passwd", path });
      assert.ok(["permission_denied", "validation_error"].includes(refused.envelope.error.type), path);
      assert.doesNotMatch(JSON.stringify(refused.envelope), /\/work\/|\/tmp\//, "no absolute path leaks");
    }
    await client.close();
  });

  it("manage_project gives context-aware errors whose recovery steps work when followed", async () => {
    const { client } = await connectClient(server.mcpUrl);
    const badAction = await callEnvelope(client, "manage_project", { action: "rename", project_name: "x" });
    assert.equal(badAction.envelope.error.type, "validation_error");
    assert.equal(badAction.envelope.error.field, "action");
    assert.deepEqual(badAction.envelope.error.examples, ["create", "update", "delete", "archive"]);

    const typo = await callEnvelope(client, "manage_project", {
      action: "update",
      project_name: "website-redesgn",
      settings: { owner: "alice" },
    });
    assert.equal(typo.envelope.error.type, "not_found");
    assert.equal(typo.envelope.error.similar_matches[0], "website-redesign");
    const fixed = await followStep(client, typo.envelope.error.recovery_steps[0]);
    assert.equal(fixed.envelope.success, true);
    assert.equal(fixed.envelope.data.project.settings.owner, "alice");

    const duplicate = await callEnvelope(client, "manage_project", {
      action: "create",
      project_name: "mobile-app",
    });
    assert.equal(duplicate.envelope.error.type, "already_exists");
    assert.match(duplicate.envelope.error.suggestion, /update/);
    const updated = await followStep(client, duplicate.envelope.error.recovery_steps[0]);
    assert.equal(updated.envelope.success, true);

    const denied = await callEnvelope(client, "manage_project", {
      action: "delete",
      project_name: "mobile-app",
    });
    assert.equal(denied.envelope.error.type, "permission_denied");
    assert.equal(denied.envelope.error.required_permission, "project.delete");
    await client.close();
  });

  it("import_records writes a whole batch, or nothing when one record clashes", async () => {
    const { client } = await connectClient(server.mcpUrl);
    const imported = await callEnvelope(client, "import_records", {
      users: [{ id: "7", name: "Grace", email: "grace@example.com" }],
      projects: [{ name: "imported-project" }],
    });
    assert.equal(imported.envelope.success, true);
    assert.deepEqual(imported.envelope.data.counts, {
      users: 1,
      items: 0,
      projects: 1,
      applications: 0,
      versions: 0,
    });
    const clash = await callEnvelope(client, "import_records", {
      projects: [{ name: "brand-new-project" }, { name: "website-redesign" }],
    });
    assert.equal(clash.envelope.error.type, "already_exists");
    const again = await callEnvelope(client, "manage_project", {
      action: "create",
      project_name: "brand-new-project",
    });
    assert.equal(again.envelope.success, true, "the rolled-back batch left brand-new-project unwritten");
    await client.close();
  });
});

describe("import_records when the disk fills midway", () => {
  it("rolls everything back and answers a masked internal_error traceable in the log", async () => {
    const server = await startServer({ DATA_MAX_BYTES: String(256 * 1024) });
    try {
      const { client } = await connectClient(server.mcpUrl);
      const items = Array.from({ length: 400 }, (_, index) => ({
        id: `bulk-${index}`,
        name: `Bulk item ${index}`,
        description: "x".repeat(1900),
        price_cents: index,
      }));
      const { envelope } = await callEnvelope(client, "import_records", { items });
      assert.equal(envelope.error.type, "internal_error");
      assert.doesNotMatch(JSON.stringify(envelope), /SQLITE|database or disk is full/i);
      const line = server.logs.lines.find((entry) => entry.reference_id === envelope.error.reference_id);
      assert.match(JSON.stringify(line?.err), /SQLITE_FULL|full/);
      const probe = await callEnvelope(client, "get_item", { id: "bulk-0" });
      assert.equal(probe.envelope.error.type, "not_found", "no item of the failed batch was written");
      await client.close();
    } finally {
      await server.close();
    }
  });
});

describe("the store across a restart", () => {
  it("keeps what was written", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "resilient-mcp-restart-"));
    const first = await startServer({ DATA_DIR: dataDir });
    const one = await connectClient(first.mcpUrl);
    const created = await callEnvelope(one.client, "manage_project", {
      action: "create",
      project_name: "survivor",
    });
    assert.equal(created.envelope.success, true);
    await one.client.close();
    await first.close();

    const second = await startServer({ DATA_DIR: dataDir });
    const two = await connectClient(second.mcpUrl);
    const duplicate = await callEnvelope(two.client, "manage_project", {
      action: "create",
      project_name: "survivor",
    });
    assert.equal(duplicate.envelope.error.type, "already_exists");
    await two.client.close();
    await second.close();
  });
});
