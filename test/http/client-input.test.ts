import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { callTool } from "../helpers/modern-requests.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";

/**
 * Asking the user in the stateless era: a product question ends the call with `input_required`
 * and a signed requestState; the answer counts only with that state, once, for that call, from the
 * same caller. A client that declared no elicitation is not asked and keeps today's behaviour.
 */

const ELICITATION = { elicitation: { form: {} } };
const KEY = "confirm_project_delete";

function accept(confirm: boolean) {
  return { [KEY]: { action: "accept", content: { confirm } } };
}

describe("a project delete asks the user first (2026-07-28)", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ ANONYMOUS_PERMISSIONS: "project.delete,deploy.production" });
  });
  after(async () => {
    await server.close();
  });

  const deleteProject = (
    name: string,
    params: Record<string, unknown> = {},
    capabilities: Record<string, unknown> = ELICITATION,
  ) =>
    callTool(
      server.mcpUrl,
      "manage_project",
      { action: "delete", project_name: name },
      { capabilities, params },
    );

  async function projectExists(name: string): Promise<boolean> {
    return (await server.services.backends.store.getProject(name)) !== undefined;
  }

  it("round 1 is input_required with the question and a requestState; nothing is deleted yet", async () => {
    const answer = await deleteProject("website-redesign");
    const result = answer.messages[0].result;
    assert.equal(result.resultType, "input_required", answer.text);
    assert.equal(result.inputRequests[KEY].method, "elicitation/create");
    assert.match(result.inputRequests[KEY].params.message, /Delete the project "website-redesign"\?/);
    assert.equal(typeof result.requestState, "string");
    assert.equal(result.content, undefined, "an input_required result carries only its own fields");
    assert.ok(await projectExists("website-redesign"));
  });

  it("an answer sent without the requestState that asked for it is asked again", async () => {
    const answer = await deleteProject("website-redesign", { inputResponses: accept(true) });
    assert.equal(answer.messages[0].result.resultType, "input_required");
    assert.ok(await projectExists("website-redesign"));
  });

  it("a no is a cancelled error saying nothing was deleted", async () => {
    const first = await deleteProject("website-redesign");
    const { requestState } = first.messages[0].result;
    const answer = await deleteProject("website-redesign", { inputResponses: accept(false), requestState });
    const result = answer.messages[0].result;
    assert.equal(result.isError, true);
    assert.equal(result.structuredContent.error.type, "cancelled");
    assert.match(result.structuredContent.error.message, /Nothing was deleted/);
    assert.ok(await projectExists("website-redesign"));
  });

  it("a yes with the requestState deletes; the same state again is refused as already used", async () => {
    const first = await deleteProject("mobile-app");
    const { requestState } = first.messages[0].result;
    const confirmed = await deleteProject("mobile-app", { inputResponses: accept(true), requestState });
    assert.equal(confirmed.messages[0].result.structuredContent.success, true, confirmed.text);
    assert.equal(await projectExists("mobile-app"), false);

    const replayed = await deleteProject("mobile-app", { inputResponses: accept(true), requestState });
    assert.equal(replayed.status, 200);
    assert.equal(replayed.messages[0].error.code, -32602);
    assert.equal(replayed.messages[0].error.data.reason, "replayed");
  });

  it("a tampered requestState, or one issued for another call, is refused", async () => {
    const first = await deleteProject("data-pipeline");
    const { requestState } = first.messages[0].result as { requestState: string };
    const tampered = await deleteProject("data-pipeline", {
      inputResponses: accept(true),
      requestState: `${requestState}x`,
    });
    assert.equal(tampered.messages[0].error.data.reason, "tampered");

    const foreign = await callTool(
      server.mcpUrl,
      "deploy_application",
      { app_name: "web-frontend", environment: "production" },
      { capabilities: ELICITATION, params: { inputResponses: accept(true), requestState } },
    );
    assert.equal(foreign.messages[0].error.code, -32602);
    assert.equal(foreign.messages[0].error.data.reason, "foreign");
    assert.ok(await projectExists("data-pipeline"));
  });

  it("a client that declared no elicitation is not asked: the permission alone guards, as before", async () => {
    const answer = await deleteProject("data-pipeline", {}, {});
    assert.equal(answer.messages[0].result.structuredContent.success, true, answer.text);
    assert.equal(await projectExists("data-pipeline"), false);
  });
});
