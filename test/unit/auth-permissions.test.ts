import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ENVIRONMENTS } from "../../src/backends/store/store.js";
import { PRODUCT_PERMISSIONS } from "../../src/auth/permissions.js";
import type { Envelope } from "../../src/errors/envelope.js";
import { createProductToolDefinitions } from "../../src/tools/product-catalog.js";
import { createToolRunner, type ToolRunner } from "../../src/tools/tool-runner.js";
import { buildApp } from "../helpers/test-server.js";

type Built = Awaited<ReturnType<typeof buildApp>>;

/** One call of every write the product offers, each meant to reach its permission check. */
const WRITES: readonly [string, Record<string, unknown>][] = [
  ...ENVIRONMENTS.map((environment): [string, Record<string, unknown>] => [
    "deploy_application",
    { app_name: "web-frontend", environment },
  ]),
  ["cancel_deployment", { deployment_id: "dep_1" }],
  ...["create", "update", "archive", "delete"].map((action): [string, Record<string, unknown>] => [
    "manage_project",
    { action, project_name: "website-redesign", settings: { a: 1 } },
  ]),
  ["import_records", { users: [{ id: "9", name: "Mallory", email: "m@example.com", role: "admin" }] }],
];

function requiredPermission(envelope: Envelope): string | undefined {
  if (!("error" in envelope) || envelope.error.type !== "permission_denied") return undefined;
  return (envelope.error as { required_permission?: string }).required_permission;
}

describe("permissions: what the tools check is what the server advertises", () => {
  let built: Built;
  let runner: ToolRunner;
  before(async () => {
    built = await buildApp();
    runner = createToolRunner({
      tools: createProductToolDefinitions(built.services.backends),
      logger: built.services.logger,
      metrics: built.services.metrics,
      defaultTimeoutMs: 5000,
    });
  });
  after(async () => {
    await built.services.close();
  });

  it("a principal without permissions is refused every write, each naming a permission of PRODUCT_PERMISSIONS", async () => {
    const nobody = { id: "nobody", permissions: new Set<string>() };
    const named = new Set<string>();
    for (const [tool, args] of WRITES) {
      const outcome = await runner.call(tool, args, {
        signal: new AbortController().signal,
        principal: nobody,
      });
      const permission = requiredPermission(outcome.envelope);
      assert.ok(
        permission !== undefined,
        `${tool} ${JSON.stringify(args)} answered ${JSON.stringify(outcome.envelope)}`,
      );
      named.add(permission);
    }
    assert.deepEqual([...named].sort(), [...PRODUCT_PERMISSIONS].sort());
  });

  it("the same principal calls every read-only tool it is given arguments for", async () => {
    const nobody = { id: "nobody", permissions: new Set<string>() };
    for (const [tool, args] of [
      ["get_user", { user_id: "1" }],
      ["list_applications", {}],
      ["list_app_versions", { app_name: "web-frontend" }],
      ["search_files", { query: "report" }],
    ] as const) {
      const outcome = await runner.call(tool, args, {
        signal: new AbortController().signal,
        principal: nobody,
      });
      assert.equal(outcome.outcome, "success", `${tool}: ${JSON.stringify(outcome.envelope)}`);
    }
  });
});
