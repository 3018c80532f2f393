import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import {
  checkStep,
  choiceOf,
  instruction,
  optionTo,
  numberSteps,
  stepTo,
  type StepTarget,
} from "../../src/errors/recovery-steps.js";

const deploy = {
  name: "deploy_application",
  input: z.object({
    app_name: z.string(),
    environment: z.enum(["staging", "production", "development"]),
    version: z.string().optional(),
  }),
};
const listApps = { name: "list_applications", input: z.object({}) };
const tools: ReadonlyMap<string, StepTarget> = new Map<string, StepTarget>([
  [deploy.name, deploy],
  [listApps.name, listApps],
]);

describe("stepTo", () => {
  it("builds a step whose parameters are typed from the tool's input", () => {
    const step = stepTo(deploy, {
      action: "Deploy to staging",
      parameters: { app_name: "shop", environment: "staging" },
      description: "The safest environment",
    });
    assert.deepEqual(step, {
      action: "Deploy to staging",
      tool: "deploy_application",
      parameters: { app_name: "shop", environment: "staging" },
      description: "The safest environment",
    });
    assert.equal(checkStep(step, tools), undefined);
    // What stepTo refuses at compile time is in test/types/tool-contracts.types.ts.
  });

  it("leaves fill_in parameters to the model, and they still count for validity", () => {
    const step = stepTo(deploy, {
      action: "Retry deployment with the correct name",
      parameters: { environment: "production" },
      fill_in: ["app_name"],
      description: "Use a name from list_applications",
    });
    assert.deepEqual(step.fill_in, ["app_name"]);
    assert.equal(checkStep(step, tools), undefined);
  });
});

describe("checkStep", () => {
  it("rejects unknown tools, invalid parameters and bad fill_in", () => {
    assert.match(
      checkStep({ action: "x", tool: "cancel_deployment", parameters: {} }, tools) ?? "",
      /"cancel_deployment", which this server does not serve/,
    );
    assert.match(
      checkStep(
        { action: "x", tool: "deploy_application", parameters: { app_name: "a", environment: "moon" } },
        tools,
      ) ?? "",
      /environment/,
    );
    assert.match(
      checkStep({ action: "x", tool: "deploy_application", parameters: { environment: "staging" } }, tools) ??
        "",
      /app_name/,
      "a missing parameter not declared as fill_in",
    );
    assert.match(
      checkStep(
        { action: "x", tool: "deploy_application", parameters: {}, fill_in: ["app", "environment"] },
        tools,
      ) ?? "",
      /fill_in names unknown parameters: app/,
    );
    assert.match(
      checkStep(
        {
          action: "x",
          tool: "deploy_application",
          parameters: { app_name: "a", environment: "staging" },
          fill_in: ["app_name"],
        },
        tools,
      ) ?? "",
      /same parameters: app_name/,
    );
    assert.match(checkStep({ action: "x", parameters: { a: 1 } }, tools) ?? "", /names no tool/);
  });

  it("accepts plain instructions", () => {
    assert.equal(checkStep(instruction("Ask the user to grant project.delete"), tools), undefined);
  });

  it("checks a choice option by option, and wants a real choice", () => {
    const wait = optionTo(listApps, { parameters: {} });
    const deployNow = optionTo(deploy, { parameters: { app_name: "shop", environment: "staging" } });
    const choice = choiceOf("List first, or deploy now", [wait, deployNow]);
    assert.deepEqual(
      choice.options?.map((option) => option.tool),
      ["list_applications", "deploy_application"],
    );
    assert.equal(checkStep(choice, tools), undefined);
    assert.match(
      checkStep({ action: "x", options: [wait, { tool: "deploy_application", parameters: {} }] }, tools) ??
        "",
      /option 2 parameters do not validate/,
    );
    assert.match(checkStep({ action: "x", options: [wait] }, tools) ?? "", /fewer than two options/);
    assert.match(
      checkStep({ action: "x", tool: "list_applications", options: [wait, deployNow] }, tools) ?? "",
      /both options and a tool call/,
    );
  });

  it("turns a choice of one into a plain step", () => {
    const only = choiceOf("Wait", [optionTo(listApps, { parameters: {}, description: "Recommended" })]);
    assert.deepEqual(only, {
      action: "Wait",
      tool: "list_applications",
      parameters: {},
      description: "Recommended",
    });
  });
});

describe("numberSteps", () => {
  it("numbers from 1 and drops any old numbering", () => {
    assert.deepEqual(
      numberSteps([
        { action: "List apps", tool: "list_applications", parameters: {} },
        instruction("Wait", "for the other deployment"),
      ]),
      [
        { step: 1, action: "List apps", tool: "list_applications", parameters: {} },
        { step: 2, action: "Wait", description: "for the other deployment" },
      ],
    );
  });
});
