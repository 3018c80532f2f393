import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { RequestOptions } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { Progress, Tool } from "@modelcontextprotocol/sdk/types.js";
import { SqliteStore } from "../../src/backends/store/sqlite-store.js";
import { connectClient } from "../helpers/mcp-client.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";
import { errorOf } from "../helpers/network-envelope.js";

/*
 * The deployment tools as a model meets them: a real server over Streamable HTTP and the SDK
 * client. For every error the tools can emit, the test does what a model would do with it: call
 * the tools the recovery steps name, with the parameters they give, filling in only the
 * parameters a step lists in fill_in (from what earlier steps returned), until a deployment
 * succeeds. A step that names an unknown tool, fails validation or fails is a failed test (the
 * test server runs with strictSteps, so an unusable step also fails the call that emitted it).
 * Every test gets its own server and store: none depends on what another left behind.
 */

type Json = Record<string, unknown>;

interface StepCall {
  readonly tool: string;
  readonly parameters: Json;
  readonly fill_in?: readonly string[];
}

interface Step {
  readonly step?: number;
  readonly action: string;
  readonly tool?: string;
  readonly parameters?: Json;
  readonly fill_in?: readonly string[];
  readonly options?: readonly StepCall[];
  readonly description?: string;
}

interface Followed {
  readonly tool: string;
  readonly envelope: Json;
}

/** Supplies the fill_in parameters of a step from what the steps before it returned. */
type Filler = (step: Step, history: readonly Followed[]) => Json;

// Short durations keep the test fast; long enough that a second call lands while one runs.
const DURATIONS = { DEPLOY_QUEUED_MS: "100", DEPLOY_RUN_MS: "400" };

function asJson(value: unknown): Json {
  assert.ok(typeof value === "object" && value !== null && !Array.isArray(value), "an object");
  return value as Json;
}

/** Calls a tool; checks that the text content is the structured envelope, and isError matches it. */
async function call(client: Client, name: string, args: Json, options?: RequestOptions): Promise<Json> {
  const result = await client.callTool({ name, arguments: args }, undefined, options);
  const envelope = asJson(result.structuredContent);
  const content = result.content as { type: string; text?: string }[];
  assert.equal(content[0]?.type, "text");
  assert.deepEqual(JSON.parse(content[0].text ?? ""), envelope, "text content carries the same envelope");
  assert.equal(result.isError === true, envelope.success === false);
  return envelope;
}

function dataOf(envelope: Json): Json {
  assert.equal(envelope.success, true, JSON.stringify(envelope));
  return asJson(envelope.data);
}

function stepsOf(body: object, key: "recovery_steps" | "next_steps" = "recovery_steps"): Step[] {
  const steps = (body as Json)[key];
  assert.ok(Array.isArray(steps) && steps.length > 0, `${key} present: ${JSON.stringify(body)}`);
  return steps as Step[];
}

/**
 * Follows steps in order. Plain instructions (no tool) are for the user and are skipped. A step
 * with options is a choice: the first option, or the second with `takeAlternative`. Every step
 * taken must succeed.
 */
async function follow(
  client: Client,
  steps: readonly Step[],
  options: { fill?: Filler; takeAlternative?: boolean } = {},
): Promise<Followed[]> {
  const history: Followed[] = [];
  for (const step of steps) {
    const chosen: StepCall | undefined =
      step.options === undefined
        ? step.tool === undefined
          ? undefined
          : {
              tool: step.tool,
              parameters: step.parameters ?? {},
              ...(step.fill_in ? { fill_in: step.fill_in } : {}),
            }
        : step.options[options.takeAlternative === true ? 1 : 0];
    if (chosen === undefined) continue;
    const fillIn = chosen.fill_in ?? [];
    const filled = fillIn.length === 0 ? {} : (options.fill ?? noFill)(step, history);
    assert.deepEqual(Object.keys(filled).sort(), [...fillIn].sort(), "fill only what the step asks for");
    const envelope = await call(client, chosen.tool, { ...chosen.parameters, ...filled });
    assert.equal(envelope.success, true, `step "${step.action}" failed: ${JSON.stringify(envelope)}`);
    history.push({ tool: chosen.tool, envelope });
  }
  return history;
}

function noFill(step: Step): Json {
  assert.fail(`step "${step.action}" asks to fill ${String(step.fill_in)} but the test gave no filler`);
}

/** Fills app_name, environment and version the way the steps' descriptions say, from earlier results. */
function fillFromLists(avoidVersions: readonly string[] = []): Filler {
  return (step, history) => {
    const filled: Json = {};
    for (const key of step.fill_in ?? []) {
      if (key === "environment") filled.environment = "staging";
      else if (key === "app_name") {
        const apps = lastData(history, "list_applications").applications as { name: string }[];
        filled.app_name = apps[0]?.name;
      } else if (key === "version") {
        const versions = lastData(history, "list_app_versions").versions as { version: string }[];
        filled.version = versions
          .map(({ version }) => version)
          .find((version) => !avoidVersions.includes(version) && !version.endsWith("-bad"));
      } else assert.fail(`unexpected fill_in ${key}`);
    }
    return filled;
  };
}

function lastData(history: readonly Followed[], tool: string): Json {
  const found = history.findLast((entry) => entry.tool === tool);
  assert.ok(found, `an earlier step called ${tool}`);
  return dataOf(found.envelope);
}

/** Takes the last deployment the steps started and follows its first next step (the wait) to success. */
async function finishesSuccessfully(client: Client, history: readonly Followed[]): Promise<Json> {
  const started = history.findLast((entry) => entry.tool === "deploy_application");
  assert.ok(started, "the steps started a deployment");
  const [waitStep] = stepsOf(started.envelope, "next_steps");
  assert.equal(waitStep?.tool, "wait_for_deployment");
  const [waited] = await follow(client, [waitStep]);
  assert.ok(waited);
  const final = dataOf(waited.envelope);
  assert.equal(final.status, "succeeded", JSON.stringify(final));
  return final;
}

async function waitForLog(server: RunningServer, match: (line: Json) => boolean, ms = 3_000): Promise<Json> {
  const until = Date.now() + ms;
  for (;;) {
    const line = server.logs.lines.find(match);
    if (line) return line;
    if (Date.now() > until) assert.fail("the expected log line never came");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("deployment tools over HTTP: recovery steps that work", { timeout: 60_000 }, () => {
  let server: RunningServer;
  let client: Client;
  let tools: Tool[];
  beforeEach(async () => {
    server = await startServer(DURATIONS);
    ({ client } = await connectClient(server.mcpUrl));
    // Listing first also makes the client validate every structuredContent against outputSchema.
    ({ tools } = await client.listTools());
  });
  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it("test_recovery_steps_are_executable (the seed's test)", async () => {
    const result = errorOf(
      await call(client, "deploy_application", { app_name: "missing-app", environment: "production" }),
    );
    const available = new Map(tools.map((tool) => [tool.name, tool]));
    const steps = stepsOf(result);
    for (const step of steps) {
      assert.ok("action" in step);
      if (step.tool !== undefined) {
        const tool = available.get(step.tool);
        assert.ok(tool, `${step.tool} is a served tool`);
        assert.ok(typeof step.parameters === "object" && !Array.isArray(step.parameters));
        const properties = Object.keys(tool.inputSchema.properties ?? {});
        const given = [...Object.keys(step.parameters), ...(step.fill_in ?? [])];
        for (const key of given) assert.ok(properties.includes(key), `${step.tool} takes ${key}`);
        for (const key of tool.inputSchema.required ?? []) assert.ok(given.includes(key), `${key} is given`);
      }
    }
    assert.deepEqual(
      steps.map((step) => step.tool),
      ["list_applications", "deploy_application"],
    );
  });

  it("unknown application: list, then deploy the closest name (or one from the list)", async () => {
    const typo = errorOf(
      await call(client, "deploy_application", { app_name: "web-fronted", environment: "staging" }),
    );
    assert.equal(typo.type, "not_found");
    assert.deepEqual(typo.similar_matches, ["web-frontend"]);
    await finishesSuccessfully(client, await follow(client, stepsOf(typo)));

    const missing = errorOf(
      await call(client, "deploy_application", { app_name: "missing-app", environment: "development" }),
    );
    await finishesSuccessfully(client, await follow(client, stepsOf(missing), { fill: fillFromLists() }));
  });

  it("unknown environment: deploy to staging", async () => {
    const error = errorOf(
      await call(client, "deploy_application", { app_name: "api-gateway", environment: "qa" }),
    );
    assert.equal(error.type, "validation_error");
    assert.deepEqual(error.examples, ["development", "staging", "production"]);
    const final = await finishesSuccessfully(client, await follow(client, stepsOf(error)));
    assert.equal(final.environment, "staging");
  });

  it("unknown version: list the versions, then deploy the latest", async () => {
    const error = errorOf(
      await call(client, "deploy_application", {
        app_name: "web-frontend",
        environment: "development",
        version: "2.0",
      }),
    );
    assert.equal(error.type, "not_found");
    assert.ok((error.similar_matches as string[]).includes("2.0.0"));
    const final = await finishesSuccessfully(client, await follow(client, stepsOf(error)));
    assert.equal(final.version, "2.0.0");
  });

  for (const takeAlternative of [false, true]) {
    it(`deployment in progress: check, ${takeAlternative ? "cancel" : "wait"}, deploy again`, async () => {
      const first = dataOf(
        await call(client, "deploy_application", { app_name: "api-gateway", environment: "production" }),
      );
      const error = errorOf(
        await call(client, "deploy_application", {
          app_name: "api-gateway",
          environment: "production",
          version: "1.9.0",
        }),
      );
      assert.equal(error.type, "conflict");
      assert.equal(error.reason, "deployment_in_progress");
      assert.equal(error.current_deployment, first.deployment_id);
      const retry = asJson(error.retry);
      assert.equal(retry.should_retry, true);
      assert.ok(Number(retry.retry_after_seconds) >= 1);
      const history = await follow(client, stepsOf(error), { takeAlternative });
      assert.deepEqual(
        history.map(({ tool }) => tool),
        [
          "check_deployment_status",
          takeAlternative ? "cancel_deployment" : "wait_for_deployment",
          "deploy_application",
        ],
      );
      const earlier = dataOf(history[1]?.envelope ?? {});
      assert.equal(earlier.status, takeAlternative ? "cancelled" : "succeeded");
      const final = await finishesSuccessfully(client, history);
      assert.equal(final.version, "1.9.0");
    });
  }

  it("unknown deployment id (sent as a number): list the deployments, then check the one listed", async () => {
    const started = dataOf(
      await call(client, "deploy_application", { app_name: "web-frontend", environment: "staging" }),
    );
    const error = errorOf(await call(client, "check_deployment_status", { deployment_id: 123 }));
    assert.equal(error.type, "not_found");
    assert.equal(error.identifier, "123");
    const [listed] = await follow(client, stepsOf(error));
    assert.equal(listed?.tool, "list_deployments");
    const [newest] = dataOf(listed.envelope).deployments as Json[];
    assert.equal(newest?.deployment_id, started.deployment_id, "the listing shows the deployment");
    const checked = dataOf(
      await call(client, "check_deployment_status", { deployment_id: started.deployment_id }),
    );
    assert.equal(checked.app_name, "web-frontend");
  });

  it("cancel of a finished deployment: no retry; deploy another version instead", async () => {
    const started = await call(client, "deploy_application", {
      app_name: "web-frontend",
      environment: "production",
      version: "1.1.0",
    });
    const [waited] = await follow(client, [stepsOf(started, "next_steps")[0] as Step]);
    assert.equal(dataOf(waited?.envelope ?? {}).status, "succeeded");
    const error = errorOf(
      await call(client, "cancel_deployment", { deployment_id: dataOf(started).deployment_id }),
    );
    assert.equal(error.type, "conflict");
    assert.equal(error.reason, "deployment_finished");
    assert.equal(asJson(error.retry).should_retry, false);
    const history = await follow(client, stepsOf(error), { fill: fillFromLists(["1.1.0"]) });
    const final = await finishesSuccessfully(client, history);
    assert.notEqual(final.version, "1.1.0");
  });

  it('a "-bad" version fails, and the failure\'s next steps deploy another version', async () => {
    const started = await call(client, "deploy_application", {
      app_name: "billing-service",
      environment: "staging",
      version: "1.2.0-bad",
    });
    const [waited] = await follow(client, [stepsOf(started, "next_steps")[0] as Step]);
    assert.ok(waited);
    const failed = dataOf(waited.envelope);
    assert.equal(failed.status, "failed");
    assert.match(String(failed.reason), /known bad build/);
    const history = await follow(client, stepsOf(waited.envelope, "next_steps"), {
      fill: fillFromLists(["1.2.0-bad"]),
    });
    const final = await finishesSuccessfully(client, history);
    assert.equal(final.app_name, "billing-service");
    assert.equal(final.version, "2.0.0");
  });

  it("wait_for_deployment streams progress 0, 50, 100 in order, then the result", async () => {
    const started = dataOf(
      await call(client, "deploy_application", { app_name: "web-frontend", environment: "staging" }),
    );
    const seen: Progress[] = [];
    const envelope = await call(
      client,
      "wait_for_deployment",
      { deployment_id: started.deployment_id },
      { onprogress: (progress) => seen.push(progress) },
    );
    assert.equal(dataOf(envelope).status, "succeeded");
    assert.deepEqual(
      seen.map(({ progress, total }) => [progress, total]),
      [
        [0, 100],
        [50, 100],
        [100, 100],
      ],
    );
    assert.match(seen[0]?.message ?? "", /queued/);
    assert.match(seen[1]?.message ?? "", /in_progress/);
    assert.match(seen[2]?.message ?? "", /succeeded/);
  });

  it("cancelling wait_for_deployment stops the wait only: the deployment goes on", async () => {
    const store = server.services.backends.store;
    assert.ok(store instanceof SqliteStore);
    const watchersBefore = store.watcherCount;
    const started = dataOf(
      await call(client, "deploy_application", { app_name: "api-gateway", environment: "development" }),
    );
    const controller = new AbortController();
    const waiting = client.callTool(
      { name: "wait_for_deployment", arguments: { deployment_id: started.deployment_id } },
      undefined,
      {
        signal: controller.signal,
        onprogress: () => {
          controller.abort(new Error("the user stopped waiting"));
        },
      },
    );
    await assert.rejects(waiting, /stopped waiting/);
    const line = await waitForLog(
      server,
      (entry) => entry.tool === "wait_for_deployment" && entry.error_type === "cancelled",
    );
    assert.equal(line.level, "info", "a cancellation is logged at info, not as a failure");
    assert.equal(store.watcherCount, watchersBefore, "the wait unsubscribed");

    const status = dataOf(
      await call(client, "check_deployment_status", { deployment_id: started.deployment_id }),
    );
    assert.ok(["queued", "in_progress"].includes(String(status.status)), String(status.status));
    const done = dataOf(await call(client, "wait_for_deployment", { deployment_id: started.deployment_id }));
    assert.equal(done.status, "succeeded");
  });
});

describe("deploy_application without deploy.production, over HTTP", { timeout: 30_000 }, () => {
  let server: RunningServer;
  let client: Client;
  beforeEach(async () => {
    server = await startServer({
      ...DURATIONS,
      ANONYMOUS_PERMISSIONS: "deploy.development,deploy.staging,deploy.cancel",
    });
    ({ client } = await connectClient(server.mcpUrl));
    await client.listTools();
  });
  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it("permission_denied names deploy.production; the steps deploy to staging instead", async () => {
    const error = errorOf(
      await call(client, "deploy_application", { app_name: "web-frontend", environment: "production" }),
    );
    assert.equal(error.type, "permission_denied");
    assert.equal(error.required_permission, "deploy.production");
    assert.match(error.suggestion, /retrying will not help/);
    const steps = stepsOf(error);
    assert.equal(steps[0]?.tool, undefined, "first: ask the user for the permission");
    const final = await finishesSuccessfully(client, await follow(client, steps));
    assert.equal(final.environment, "staging");
  });
});
