import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { connectClient } from "../helpers/mcp-client.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";
import { callEnvelope, followStep } from "../helpers/tool-calls.js";

/*
 * Each answer that used to mislead a model, asked again over MCP the way a model would ask it,
 * with the new answer asserted: what it says, what it advises, and that following it works.
 */

describe("what a model is told, case by case", { timeout: 30_000 }, () => {
  let server: RunningServer;
  let client: Client;
  before(async () => {
    server = await startServer();
    ({ client } = await connectClient(server.mcpUrl));
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  it("updating an archived project: a conflict that says not to retry, and steps that lead on", async () => {
    await callEnvelope(client, "manage_project", { action: "archive", project_name: "data-pipeline" });
    const { result, envelope } = await callEnvelope(client, "manage_project", {
      action: "update",
      project_name: "data-pipeline",
      settings: { schedule: "daily" },
    });
    const { error } = envelope;
    assert.equal(error.type, "conflict");
    assert.equal(error.retry.should_retry, false, "waiting cannot un-archive a project");
    assert.doesNotMatch(error.suggestion, /\bwait\b|call manage_project again/i);
    assert.match(error.suggestion, /Create a new project/);
    const block = result._meta?.["io.modelcontextprotocol/toolFailure"] as
      { retryable?: boolean } | undefined;
    assert.equal(block?.retryable, false);
    assert.deepEqual(
      error.recovery_steps.map((step: { tool: string; parameters: object }) => [step.tool, step.parameters]),
      [
        ["manage_project", { action: "create", settings: { schedule: "daily" } }],
        ["list_projects", { status: "active" }],
      ],
    );
    const { envelope: active } = await followStep(client, error.recovery_steps[1]);
    assert.ok(active.data.projects.every((project: { status: string }) => project.status === "active"));
  });

  it("a duplicate in import_records: names the record, says nothing was written, resend the whole batch", async () => {
    const { envelope } = await callEnvelope(client, "import_records", {
      users: [
        { id: "4", name: "Dana", email: "dana@example.com" },
        { id: "1", name: "Alice again", email: "alice2@example.com" },
      ],
    });
    const { error } = envelope;
    assert.equal(error.type, "already_exists");
    assert.deepEqual(error.failed_record, { collection: "users", index: 1, id: "1" });
    assert.equal(error.written, 0);
    assert.match(error.message, /users\[1\].*Nothing was written/);
    assert.match(error.suggestion, /Fix or drop users\[1\].*WHOLE batch/);
    assert.doesNotMatch(error.suggestion, /update it instead/, "no tool updates a user");
    const { envelope: user4 } = await callEnvelope(client, "get_user", { user_id: "4" });
    assert.equal(user4.error.type, "not_found", "user 4 was rolled back with the rest");
  });

  it("a missing version: the nearest versions, newest first on a tie", async () => {
    const { envelope } = await callEnvelope(client, "deploy_application", {
      app_name: "web-frontend",
      environment: "staging",
      version: "3.0.0",
    });
    assert.equal(envelope.error.type, "not_found");
    assert.deepEqual(envelope.error.similar_matches, ["2.0.0", "1.1.0", "1.0.0"]);
    assert.match(envelope.error.suggestion, /^Did you mean: 2\.0\.0\?/);
  });

  it("an unknown item with nothing close: a step that lists the items, which works", async () => {
    const { envelope } = await callEnvelope(client, "get_item", { id: "widgit" });
    assert.equal(envelope.error.type, "not_found");
    assert.equal(envelope.error.similar_matches, undefined);
    const [step] = envelope.error.recovery_steps;
    assert.equal(step.tool, "list_items");
    const { envelope: listed } = await followStep(client, step);
    assert.ok(listed.data.items.some((item: { id: string }) => item.id === "item-001"));
  });

  it("an unknown user: valid ids in the suggestion and a step that lists the users by name", async () => {
    const { envelope } = await callEnvelope(client, "get_user", { user_id: "99" });
    assert.match(envelope.error.suggestion, /Valid user ids: 1, 2/);
    const { envelope: listed } = await followStep(client, envelope.error.recovery_steps[0]);
    assert.deepEqual(
      listed.data.users.map((user: { name: string }) => user.name),
      ["Alice", "Bob"],
    );
    const { tools } = await client.listTools();
    const description = tools.find((tool) => tool.name === "get_user")?.description ?? "";
    assert.match(description, /similar_matches holds close ones when there are any/);
  });

  it("an empty item id: the expectation the value missed, not the types it already had", async () => {
    const { envelope } = await callEnvelope(client, "get_item", { id: "" });
    assert.equal(envelope.error.type, "validation_error");
    assert.equal(envelope.error.expected, "a string of at least 1 character");
    assert.doesNotMatch(JSON.stringify(envelope.error), /a string or an integer/);
  });

  it("listings page with a cursor, and refuse a cursor from elsewhere with a first-page step", async () => {
    const { envelope: first } = await callEnvelope(client, "list_items", { limit: 2 });
    assert.deepEqual(
      first.data.items.map((item: { id: string }) => item.id),
      ["item-001", "item-002"],
    );
    const [next] = first.next_steps ?? [];
    assert.deepEqual(next.parameters, { limit: 2, cursor: first.data.next_cursor });
    const { envelope: second } = await followStep(client, next);
    assert.deepEqual(
      second.data.items.map((item: { id: string }) => item.id),
      ["item-003", "item-004"],
    );
    const { envelope: foreign } = await callEnvelope(client, "list_items", {
      query: "mouse",
      cursor: first.data.next_cursor,
    });
    assert.equal(foreign.error.type, "validation_error");
    assert.equal(foreign.error.field, "cursor");
    assert.deepEqual(foreign.error.recovery_steps[0].parameters, { query: "mouse" });
  });
});
