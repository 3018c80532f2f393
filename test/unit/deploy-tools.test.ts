import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import type { Deployment } from "../../src/backends/store/store.js";
import { createLogger } from "../../src/observability/logger.js";
import { createMetrics } from "../../src/observability/metrics.js";
import { cancelDeploymentTool } from "../../src/tools/cancel-deployment.js";
import { checkDeploymentStatusTool } from "../../src/tools/check-deployment-status.js";
import { deployApplicationTool } from "../../src/tools/deploy-application.js";
import type { DeploymentBackends } from "../../src/tools/deployment-guidance.js";
import { listAppVersionsTool } from "../../src/tools/list-app-versions.js";
import { listApplicationsTool } from "../../src/tools/list-applications.js";
import { listDeploymentsTool } from "../../src/tools/list-deployments.js";
import type { Principal } from "../../src/tools/tool-definition.js";
import { createToolRunner, type ToolRunner } from "../../src/tools/tool-runner.js";
import { waitForDeploymentTool } from "../../src/tools/wait-for-deployment.js";
import { openTestStore, reachStatus, startTestEngine } from "../helpers/store-fixtures.js";
import { errorOf } from "../helpers/network-envelope.js";

type Json = Record<string, unknown>;
interface Step {
  step?: number;
  action: string;
  tool?: string;
  parameters?: Json;
  fill_in?: string[];
  options?: { tool: string; parameters: Json }[];
  description?: string;
}

const EVERYONE: Principal = {
  id: "tester",
  permissions: new Set(["deploy.development", "deploy.staging", "deploy.production", "deploy.cancel"]),
};

interface Harness {
  readonly runner: ToolRunner;
  readonly backends: DeploymentBackends;
  call(name: string, args: Json, principal?: Principal): Promise<Json>;
}

/** The seven tools over a real in-memory store and engine, with strictSteps: a bad step fails the call. */
async function harness(
  t: TestContext,
  durations: { queuedMs?: number; runMs?: number } = {},
  waitTimeoutMs?: number,
): Promise<Harness> {
  const store = openTestStore(t);
  const deployments = await startTestEngine(t, { store, ...durations });
  const backends: DeploymentBackends = { store, deployments };
  const runner = createToolRunner({
    tools: [
      listApplicationsTool(backends),
      listAppVersionsTool(backends),
      deployApplicationTool(backends),
      checkDeploymentStatusTool(backends),
      waitForDeploymentTool(backends, waitTimeoutMs === undefined ? {} : { timeoutMs: waitTimeoutMs }),
      cancelDeploymentTool(backends),
      listDeploymentsTool(backends),
    ],
    logger: createLogger({ level: "silent" }),
    metrics: createMetrics({ activeSessions: () => 0, defaultMetrics: false }),
    defaultTimeoutMs: 5_000,
    strictSteps: true,
  });
  return {
    runner,
    backends,
    async call(name, args, principal = EVERYONE) {
      const outcome = await runner.call(name, args, { signal: new AbortController().signal, principal });
      const envelope = asJson(outcome.envelope);
      // strictSteps turns an unusable step into internal_error: never expected here.
      if (outcome.errorType === "internal_error") assert.fail(`internal_error: ${JSON.stringify(envelope)}`);
      return envelope;
    },
  };
}

function asJson(value: unknown): Json {
  assert.ok(typeof value === "object" && value !== null && !Array.isArray(value), "an object");
  return value as Json;
}

function dataOf(envelope: Json): Json {
  assert.equal(envelope.success, true, JSON.stringify(envelope));
  return envelope.data as Json;
}

function stepsOf(body: object, key: "recovery_steps" | "next_steps" = "recovery_steps"): Step[] {
  return ((body as Json)[key] ?? []) as Step[];
}

function toolCalls(steps: Step[]): [string | undefined, Json | undefined][] {
  return steps.map((step) => [step.tool, step.parameters]);
}

async function deployed(h: Harness, args: Json): Promise<string> {
  return String(dataOf(await h.call("deploy_application", args)).deployment_id);
}

describe("deployment tools: listings", () => {
  it("declares truthful annotations and strict inputs", async (t) => {
    const { runner } = await harness(t);
    const byName = new Map(runner.list().map((tool) => [tool.name, tool]));
    for (const name of [
      "list_applications",
      "list_app_versions",
      "check_deployment_status",
      "wait_for_deployment",
    ]) {
      assert.equal(byName.get(name)?.annotations.readOnlyHint, true, name);
    }
    assert.deepEqual(byName.get("deploy_application")?.annotations, {
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: false,
      openWorldHint: false,
    });
    assert.equal(byName.get("cancel_deployment")?.annotations.destructiveHint, true);
    for (const tool of byName.values()) {
      assert.equal(tool.annotations.openWorldHint, false, tool.name);
      assert.equal(tool.inputSchema.additionalProperties, false, tool.name);
    }
    const deploy = byName.get("deploy_application");
    assert.deepEqual((deploy?.inputSchema.required as string[]).sort(), ["app_name", "environment"]);
  });
});

describe("deploy_application errors carry steps that recover", () => {
  it("unknown application: similar names, list_applications, then the closest name", async (t) => {
    const h = await harness(t);
    const error = errorOf(
      await h.call("deploy_application", { app_name: "web-frontnd", environment: "production" }),
    );
    assert.equal(error.type, "not_found");
    assert.equal(error.resource_type, "application");
    assert.deepEqual((error.similar_matches as string[])[0], "web-frontend");
    assert.deepEqual(toolCalls(stepsOf(error)), [
      ["list_applications", {}],
      ["deploy_application", { app_name: "web-frontend", environment: "production" }],
    ]);
  });

  it("unknown application: keeps the version when the closest application has it", async (t) => {
    const h = await harness(t);
    const error = errorOf(
      await h.call("deploy_application", {
        app_name: "billing-servce",
        environment: "staging",
        version: "1.1.0",
      }),
    );
    assert.deepEqual(stepsOf(error)[1]?.parameters, {
      app_name: "billing-service",
      environment: "staging",
      version: "1.1.0",
    });
  });

  it("unknown environment: examples, a did-you-mean, and a step deploying to staging", async (t) => {
    const h = await harness(t);
    const error = errorOf(
      await h.call("deploy_application", { app_name: "web-frontend", environment: "prod" }),
    );
    assert.equal(error.type, "validation_error");
    assert.equal(error.field, "environment");
    assert.deepEqual(error.examples, ["development", "staging", "production"]);
    assert.match(error.suggestion, /Did you mean "production"/);
    assert.deepEqual(toolCalls(stepsOf(error)), [
      ["deploy_application", { app_name: "web-frontend", environment: "staging" }],
    ]);
  });

  it("accepts an environment in another case", async (t) => {
    const h = await harness(t);
    const data = dataOf(
      await h.call("deploy_application", { app_name: "web-frontend", environment: "Staging" }),
    );
    assert.equal(data.environment, "staging");
  });

  it("unknown version: similar versions, list_app_versions, then deploy without version", async (t) => {
    const h = await harness(t);
    const error = errorOf(
      await h.call("deploy_application", {
        app_name: "api-gateway",
        environment: "staging",
        version: "1.10",
      }),
    );
    assert.equal(error.type, "not_found");
    assert.equal(error.resource_type, "version");
    assert.ok((error.similar_matches as string[]).includes("1.10.0"));
    assert.deepEqual(toolCalls(stepsOf(error)), [
      ["list_app_versions", { app_name: "api-gateway" }],
      ["deploy_application", { app_name: "api-gateway", environment: "staging" }],
    ]);
  });

  it("flags a misspelt argument instead of silently deploying the latest version", async (t) => {
    const h = await harness(t);
    const error = errorOf(
      await h.call("deploy_application", {
        app_name: "api-gateway",
        environment: "staging",
        versoin: "1.9.0",
      }),
    );
    assert.equal(error.type, "validation_error");
    assert.match(error.suggestion, /rename "versoin" to "version"/);
  });

  it("deployment in progress: conflict with reason, current_deployment, retry and executable alternatives", async (t) => {
    const h = await harness(t, { queuedMs: 200, runMs: 2_000 });
    const first = await deployed(h, { app_name: "web-frontend", environment: "staging" });
    const error = errorOf(
      await h.call("deploy_application", {
        app_name: "web-frontend",
        environment: "staging",
        version: "1.1.0",
      }),
    );
    assert.equal(error.type, "conflict");
    assert.equal(error.code, -32006);
    assert.equal(error.reason, "deployment_in_progress");
    assert.equal(error.current_deployment, first);
    assert.equal(error.identifier, first);
    const retry = error.retry;
    assert.equal(retry?.should_retry, true);
    assert.ok(
      Number(retry.retry_after_seconds) >= 2 && Number(retry.retry_after_seconds) <= 3,
      String(retry.retry_after_seconds),
    );
    assert.deepEqual(toolCalls(stepsOf(error)), [
      ["check_deployment_status", { deployment_id: first }],
      [undefined, undefined],
      ["deploy_application", { app_name: "web-frontend", environment: "staging", version: "1.1.0" }],
    ]);
    // Waiting or cancelling is a choice: structured options (docs/errors.md), not prose about steps.
    assert.deepEqual(
      stepsOf(error)[1]?.options?.map((option) => [option.tool, option.parameters]),
      [
        ["wait_for_deployment", { deployment_id: first }],
        ["cancel_deployment", { deployment_id: first }],
      ],
    );

    // A caller who may not cancel is not offered a step that would fail with permission_denied.
    const noCancel: Principal = { id: "dev", permissions: new Set(["deploy.staging"]) };
    const withoutCancel = errorOf(
      await h.call("deploy_application", { app_name: "web-frontend", environment: "staging" }, noCancel),
    );
    assert.deepEqual(
      stepsOf(withoutCancel).map((step) => step.tool),
      ["check_deployment_status", "wait_for_deployment", "deploy_application"],
    );
  });

  it("production without deploy.production: permission_denied naming it, and a staging alternative", async (t) => {
    const h = await harness(t);
    const noProduction: Principal = {
      id: "dev",
      permissions: new Set(["deploy.staging", "deploy.development"]),
    };
    const error = errorOf(
      await h.call(
        "deploy_application",
        { app_name: "web-frontend", environment: "production" },
        noProduction,
      ),
    );
    assert.equal(error.type, "permission_denied");
    assert.equal(error.required_permission, "deploy.production");
    assert.equal(error.message, "Permission denied: cannot deploy web-frontend to production");
    const steps = stepsOf(error);
    assert.equal(steps[0]?.tool, undefined, "first: ask the user");
    assert.deepEqual(steps[1]?.parameters, { app_name: "web-frontend", environment: "staging" });

    const nothing: Principal = { id: "viewer", permissions: new Set() };
    const bare = errorOf(
      await h.call("deploy_application", { app_name: "web-frontend", environment: "staging" }, nothing),
    );
    assert.deepEqual(
      stepsOf(bare).map((step) => step.tool),
      [undefined],
      "no environment is allowed: only the instruction remains",
    );
  });
});

describe("deployment id tools", () => {
  it("unknown id: similar recent ids and a step calling the same tool with the closest", async (t) => {
    const h = await harness(t);
    const id = await deployed(h, { app_name: "web-frontend", environment: "development" });
    const typo = `${id.slice(0, -1)}${id.endsWith("0") ? "1" : "0"}`;
    for (const tool of ["check_deployment_status", "wait_for_deployment", "cancel_deployment"]) {
      const error = errorOf(await h.call(tool, { deployment_id: typo }));
      assert.equal(error.type, "not_found", tool);
      assert.equal(error.resource_type, "deployment");
      assert.deepEqual(error.similar_matches, [id]);
      const steps = stepsOf(error);
      assert.deepEqual(steps[0]?.tool, tool);
      assert.deepEqual(steps[0]?.parameters, { deployment_id: id });
      assert.deepEqual(toolCalls(steps.slice(1)), [["list_deployments", {}]]);
    }
  });

  it("accepts an id sent as a number, and explains what ids look like", async (t) => {
    const h = await harness(t);
    const error = errorOf(await h.call("check_deployment_status", { deployment_id: 123 }));
    assert.equal(error.type, "not_found");
    assert.equal(error.identifier, "123");
    assert.match(error.suggestion, /dep_/);
    assert.deepEqual(toolCalls(stepsOf(error)), [["list_deployments", {}]]);
    // The step works: the listing shows the deployment ids that exist.
    const id = await deployed(h, { app_name: "api-gateway", environment: "staging" });
    const listed = await h.call("list_deployments", {});
    assert.deepEqual(
      (dataOf(listed).deployments as Json[]).map((deployment) => deployment.deployment_id),
      [id],
    );
  });

  it("check_deployment_status: waiting next step while running, none after success", async (t) => {
    const h = await harness(t);
    const id = await deployed(h, { app_name: "api-gateway", environment: "staging" });
    const running = await h.call("check_deployment_status", { deployment_id: id });
    assert.equal(dataOf(running).finished, false);
    assert.deepEqual(toolCalls(stepsOf(running, "next_steps")), [
      ["wait_for_deployment", { deployment_id: id }],
    ]);
    await reachStatus(h.backends.store, id, "succeeded");
    const done = await h.call("check_deployment_status", { deployment_id: id });
    assert.equal(dataOf(done).status, "succeeded");
    assert.equal(dataOf(done).estimated_seconds_remaining, 0);
    assert.equal(done.next_steps, undefined);
  });

  it("wait_for_deployment: progress 0, 50, 100 in order; a failed build leads to another version", async (t) => {
    const h = await harness(t);
    const id = await deployed(h, {
      app_name: "billing-service",
      environment: "staging",
      version: "1.2.0-bad",
    });
    const seen: [number, string | undefined][] = [];
    const outcome = await h.runner.call(
      "wait_for_deployment",
      { deployment_id: id },
      {
        signal: new AbortController().signal,
        principal: EVERYONE,
        reportProgress: async (progress, _total, message) => {
          seen.push([progress, message]);
          return Promise.resolve();
        },
      },
    );
    const envelope = asJson(outcome.envelope);
    const data = dataOf(envelope);
    assert.equal(data.status, "failed");
    assert.match(String(data.reason), /known bad build/);
    assert.deepEqual(
      seen.map(([progress]) => progress),
      [0, 50, 100],
    );
    assert.match(seen[2]?.[1] ?? "", /failed/);
    const steps = stepsOf(envelope, "next_steps");
    assert.deepEqual(toolCalls(steps), [
      ["list_app_versions", { app_name: "billing-service" }],
      ["deploy_application", { app_name: "billing-service", environment: "staging" }],
    ]);
    assert.deepEqual(steps[1]?.fill_in, ["version"]);
  });

  it("wait_for_deployment: at its own deadline, answers with the status and a step to wait again", async (t) => {
    const h = await harness(t, { queuedMs: 10, runMs: 10_000 }, 400);
    const id = await deployed(h, { app_name: "web-frontend", environment: "staging" });
    const started = Date.now();
    const envelope = await h.call("wait_for_deployment", { deployment_id: id });
    assert.ok(Date.now() - started < 400, "answered before the runner's deadline");
    const data = dataOf(envelope);
    assert.equal(data.finished, false);
    assert.equal(data.status, "in_progress");
    assert.ok(Number(data.waited_seconds) > 0.2);
    assert.deepEqual(toolCalls(stepsOf(envelope, "next_steps")), [
      ["wait_for_deployment", { deployment_id: id }],
    ]);
  });

  it("cancel_deployment: cancels, then refuses a second time with no retry and steps to redeploy", async (t) => {
    const h = await harness(t, { queuedMs: 1_000, runMs: 1_000 });
    const id = await deployed(h, { app_name: "web-frontend", environment: "production" });
    const cancelled = await h.call("cancel_deployment", { deployment_id: id });
    assert.equal(dataOf(cancelled).status, "cancelled");
    assert.deepEqual(toolCalls(stepsOf(cancelled, "next_steps")), [
      ["deploy_application", { app_name: "web-frontend", environment: "production", version: "2.0.0" }],
    ]);
    const error = errorOf(await h.call("cancel_deployment", { deployment_id: id }));
    assert.equal(error.type, "conflict");
    assert.equal(error.reason, "deployment_finished");
    assert.equal(error.retry?.should_retry, false);
    assert.match(error.suggestion, /retrying will not help/);
    assert.deepEqual(toolCalls(stepsOf(error)), [
      ["check_deployment_status", { deployment_id: id }],
      ["list_app_versions", { app_name: "web-frontend" }],
      ["deploy_application", { app_name: "web-frontend", environment: "production" }],
    ]);
  });

  it("cancel_deployment without deploy.cancel: permission_denied, and the deployment keeps running", async (t) => {
    const h = await harness(t);
    const id = await deployed(h, { app_name: "web-frontend", environment: "staging" });
    const error = errorOf(
      await h.call(
        "cancel_deployment",
        { deployment_id: id },
        { id: "dev", permissions: new Set(["deploy.staging"]) },
      ),
    );
    assert.equal(error.type, "permission_denied");
    assert.equal(error.required_permission, "deploy.cancel");
    assert.deepEqual(toolCalls(stepsOf(error)).at(-1), ["wait_for_deployment", { deployment_id: id }]);
    const deployment: Deployment | undefined = await h.backends.store.getDeployment(id);
    assert.notEqual(deployment?.status, "cancelled");
  });
});
