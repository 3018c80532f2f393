/*
 * Compile-time contracts, checked by `npm run typecheck` (tsc), never run: each
 * `@ts-expect-error` fails the type check if the line below it stops being an error. Runtime
 * tests assert behaviour; these assert what the types refuse.
 */
import { z } from "zod";
import { optionTo, stepTo } from "../../src/errors/recovery-steps.js";
import { defineTool } from "../../src/tools/tool-definition.js";

const deploy = {
  name: "deploy_application",
  input: z.object({
    app_name: z.string(),
    environment: z.enum(["staging", "production", "development"]),
    version: z.string().optional(),
  }),
};

// A step's parameters are typed from the target tool's input.
stepTo(deploy, { action: "ok", parameters: { app_name: "shop", environment: "staging" } });
// @ts-expect-error "moon" is not an environment.
stepTo(deploy, { action: "x", parameters: { app_name: "shop", environment: "moon" } });
// @ts-expect-error app_name is required unless it is left to fill_in.
stepTo(deploy, { action: "x", parameters: { environment: "staging" } });
stepTo(deploy, { action: "ok", parameters: { environment: "staging" }, fill_in: ["app_name"] });

// So are the options of a choice step.
optionTo(deploy, { parameters: { app_name: "shop", environment: "production" } });
// @ts-expect-error version must be a string.
optionTo(deploy, { parameters: { app_name: "shop", environment: "staging", version: 2 } });

// A handler's data is typed against the declared output schema.
defineTool({
  name: "typed",
  description: "Declares its output.",
  annotations: {},
  input: z.object({}),
  output: z.object({ count: z.number() }),
  // @ts-expect-error a string count does not match the output schema.
  handler: async () => Promise.resolve({ count: "three" }),
});
