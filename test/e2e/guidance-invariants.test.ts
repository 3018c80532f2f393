import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { conflict } from "../../src/errors/conflict-error.js";
import { rateLimited } from "../../src/errors/transient-errors.js";
import { createProductToolDefinitions } from "../../src/tools/product-catalog.js";
import { defineTool } from "../../src/tools/tool-definition.js";
import { faults, startFaultServer, type Fault, type FaultServer } from "../helpers/fault-server.js";
import { guidanceProblems, type GuidanceContext } from "../helpers/guidance-check.js";
import { connectClient } from "../helpers/mcp-client.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";
import { startWeatherFake, type WeatherComponent, type WeatherFake } from "../helpers/weather-fake.js";

/*
 * The invariant of what a model is told (test/helpers/guidance-check.ts), over a generated
 * corpus of calls to every tool the server lists: each argument broken in every way the schema
 * allows, unknown ids, conflicts, missing permissions and upstream faults. Every result of every
 * call is checked, successes included (their next steps), and the corpus must reach every tool
 * and every error type a user can meet, so it cannot pass by walking nowhere.
 */

type Json = Record<string, unknown>;

interface Call {
  readonly tool: string;
  readonly args: Json;
}

// Deployments finish fast, so waits and conflicts settle within the test; a tool's time budget
// of 1 s lets a slow weather API run the call out of time (the timeout type).
const ENV = {
  DEPLOY_QUEUED_MS: "50",
  DEPLOY_RUN_MS: "150",
  UPSTREAM_TIMEOUT_MS: "300",
  TOOL_TIMEOUT_MS: "1000",
};

/** One valid call per tool: the schema-driven cases break one argument of it at a time. */
const BASELINES: Readonly<Record<string, Json>> = {
  get_user: { user_id: "1" },
  list_users: { role: "admin", limit: 1 },
  get_item: { id: "item-001" },
  list_items: { query: "mouse", limit: 1 },
  search_files: { query: "sales", path: ".", max_results: 5 },
  process_files: { file_paths: ["README.md", "data/sales-2024.csv"], operation: "analyze" },
  manage_project: { action: "update", project_name: "website-redesign", settings: { owner: "2" } },
  list_projects: { status: "active", limit: 1 },
  fetch_api_data: { endpoint: "users/1", attempt: 1 },
  get_weather: { location: "Miami", include_forecast: true, include_alerts: true },
  list_applications: {},
  list_app_versions: { app_name: "web-frontend" },
  deploy_application: { app_name: "web-frontend", environment: "development", version: "1.1.0" },
  check_deployment_status: { deployment_id: "dep_unknown" },
  wait_for_deployment: { deployment_id: "dep_unknown" },
  cancel_deployment: { deployment_id: "dep_unknown" },
  list_deployments: { environment: "development", limit: 1 },
  import_records: { users: [{ id: "40", name: "Dana", email: "dana@example.com" }] },
};

/** Calls that reach what breaking one argument cannot: missing records, state, faults. */
const SCENARIOS: readonly Call[] = [
  { tool: "get_user", args: { user_id: "999" } },
  { tool: "get_user", args: { user_id: 12 } },
  { tool: "get_item", args: { id: "widgit" } },
  { tool: "get_item", args: { id: "mouse" } },
  { tool: "list_items", args: { cursor: "not-a-cursor" } },
  { tool: "search_files", args: { query: "sales", path: "dat" } },
  { tool: "search_files", args: { query: "sales", path: "nowhere/at/all" } },
  { tool: "search_files", args: { query: "x", path: "../etc" } },
  { tool: "process_files", args: { file_paths: ["README.md", "missing.txt", "data"] } },
  { tool: "process_files", args: { file_paths: ["nope-1.txt", "nope-2.txt"] } },
  { tool: "manage_project", args: { action: "create", project_name: "website-redesign" } },
  { tool: "manage_project", args: { action: "update", project_name: "website-redesing" } },
  { tool: "manage_project", args: { action: "archive", project_name: "zzzz-nothing-like-it" } },
  { tool: "manage_project", args: { action: "delete", project_name: "mobile-app" } },
  { tool: "manage_project", args: { action: "archive", project_name: "data-pipeline" } },
  { tool: "manage_project", args: { action: "update", project_name: "data-pipeline", settings: { a: 1 } } },
  { tool: "fetch_api_data", args: { endpoint: "missing" } },
  { tool: "fetch_api_data", args: { endpoint: "limited" } },
  { tool: "fetch_api_data", args: { endpoint: "broken" } },
  { tool: "fetch_api_data", args: { endpoint: "broken", attempt: 3 } },
  { tool: "fetch_api_data", args: { endpoint: "garbage" } },
  { tool: "fetch_api_data", args: { endpoint: "slow" } },
  { tool: "fetch_api_data", args: { endpoint: "reset" } },
  { tool: "fetch_api_data", args: { endpoint: "../admin" } },
  { tool: "get_weather", args: { location: "Londn" } },
  { tool: "get_weather", args: { location: "Xyzzyville" } },
  { tool: "list_app_versions", args: { app_name: "web-fronted" } },
  { tool: "list_app_versions", args: { app_name: "qqqqqqqq" } },
  { tool: "deploy_application", args: { app_name: "web-fronted", environment: "staging" } },
  { tool: "deploy_application", args: { app_name: "qqqqqqqq", environment: "staging", version: "1.0.0" } },
  { tool: "deploy_application", args: { app_name: "web-frontend", environment: "qa" } },
  {
    tool: "deploy_application",
    args: { app_name: "web-frontend", environment: "staging", version: "3.0.0" },
  },
  {
    tool: "deploy_application",
    args: { app_name: "web-frontend", environment: "staging", version: "latest" },
  },
  { tool: "deploy_application", args: { app_name: "api-gateway", environment: "production" } },
  { tool: "deploy_application", args: { app_name: "api-gateway", environment: "production" } },
  { tool: "check_deployment_status", args: { deployment_id: 123 } },
  { tool: "list_deployments", args: { app_name: "api-gateway", cursor: "bm9wZQ" } },
  {
    tool: "import_records",
    args: {
      users: [
        { id: "41", name: "Eve", email: "eve@example.com" },
        { id: "1", name: "A", email: "a@example.com" },
      ],
    },
  },
  { tool: "import_records", args: { items: [{ id: "item-100", name: "Wireless Mouse", price_cents: 1 }] } },
  { tool: "import_records", args: { applications: [{ name: "new-app", versions: [{ version: "one" }] }] } },
  { tool: "import_records", args: {} },
];

/** Weather faults, each followed by the same call. */
const WEATHER_FAULTS: readonly (readonly [WeatherComponent, Fault])[] = [
  ["geocoding", faults.status(503)],
  ["current", faults.status(503)],
  ["forecast", faults.status(503)],
  ["alerts", faults.status(503)],
  ["current", faults.slow(3_000, faults.status(503))],
];

/** Every error type a user can meet from the product's tools (cancelled and internal_error are not). */
const REACHABLE_TYPES = [
  "validation_error",
  "not_found",
  "permission_denied",
  "rate_limited",
  "external_service_error",
  "already_exists",
  "conflict",
  "timeout",
];

/** The calls that break one argument of a tool's baseline, in every way its schema allows. */
function schemaCases(tool: Tool, baseline: Json): Call[] {
  const properties = (tool.inputSchema.properties ?? {}) as Record<string, Json>;
  const required = new Set(tool.inputSchema.required ?? []);
  const calls: Call[] = [
    { tool: tool.name, args: { ...baseline, unexpected_argument: 1 } },
    { tool: tool.name, args: {} },
  ];
  for (const [name, schema] of Object.entries(properties)) {
    const without = Object.fromEntries(Object.entries(baseline).filter(([key]) => key !== name));
    const broken = badValues(schema).map((value) => ({
      tool: tool.name,
      args: { ...baseline, [name]: value },
    }));
    calls.push(...broken, ...(required.has(name) ? [{ tool: tool.name, args: without }] : []));
  }
  return calls;
}

/** Values of the wrong type, shape, size or membership for a property. */
function badValues(schema: Json): unknown[] {
  const values: unknown[] = [null, { nested: true }, ["an", "array"], true];
  const types = JSON.stringify(schema);
  if (types.includes('"string"')) values.push("", "x".repeat(5000), "  ");
  if (types.includes('"integer"') || types.includes('"number"')) values.push(-1, 1.5, 1e12);
  if (types.includes('"enum"')) values.push("not-one-of-them");
  if (types.includes('"array"'))
    values.push(
      [],
      [null],
      Array.from({ length: 2000 }, () => "a"),
    );
  return values;
}

/** Calls each in order; returns every result with the call that produced it. */
async function run(
  client: Client,
  calls: readonly Call[],
): Promise<{ call: Call; result: CallToolResult }[]> {
  const results = [];
  for (const call of calls) {
    const result = (await client.callTool({ name: call.tool, arguments: call.args })) as CallToolResult;
    results.push({ call, result });
  }
  return results;
}

function errorTypeOf(result: CallToolResult): string | undefined {
  const envelope = result.structuredContent;
  const error = envelope?.error as Json | undefined;
  return typeof error?.type === "string" ? error.type : undefined;
}

describe(
  "what a model is told never contradicts itself, over a generated corpus",
  { timeout: 120_000 },
  () => {
    let upstream: FaultServer;
    let weather: WeatherFake;
    let server: RunningServer;
    let denied: RunningServer;
    let context: GuidanceContext;

    before(async () => {
      upstream = await startFaultServer();
      upstream.on("/api/users/1", faults.ok({ id: 1 }));
      upstream.on("/api/limited", faults.rateLimited(2));
      upstream.on("/api/broken", faults.status(500));
      upstream.on("/api/garbage", faults.invalidJson());
      upstream.on("/api/slow", faults.slow(2_000, faults.ok({})));
      upstream.on("/api/reset", faults.reset());
      weather = await startWeatherFake();
      const network = {
        UPSTREAM_BASE_URL: `${upstream.url}/api`,
        WEATHER_GEOCODING_URL: weather.url,
        WEATHER_FORECAST_URL: weather.url,
        WEATHER_ALERTS_URL: weather.url,
        UPSTREAM_BREAKER_FAILURES: "1000",
        WEATHER_BREAKER_FAILURES: "1000",
      };
      server = await startServer({ ...ENV, ...network });
      denied = await startServer({ ...ENV, ...network, ANONYMOUS_PERMISSIONS: "" });
      const definitions = createProductToolDefinitions(server.services.backends);
      context = {
        tools: new Set(definitions.map((tool) => tool.name)),
        allOrNothing: new Set(
          definitions.filter((tool) => tool.allOrNothing === true).map((tool) => tool.name),
        ),
        // Places are searched by name: no tool lists them, so the suggestion says how to refine.
        unlistable: new Set(["location"]),
      };
    });
    after(async () => {
      await server.close();
      await denied.close();
      await weather.close();
      await upstream.close();
    });

    it("holds for every result, and the corpus reaches every tool and every error type", async () => {
      const { client } = await connectClient(server.mcpUrl);
      const { tools } = await client.listTools();
      const missing = tools.map((tool) => tool.name).filter((name) => !(name in BASELINES));
      assert.deepEqual(missing, [], "every listed tool needs a baseline call in this corpus");

      const calls = [
        ...tools.flatMap((tool) => [
          { tool: tool.name, args: BASELINES[tool.name] ?? {} },
          ...schemaCases(tool, BASELINES[tool.name] ?? {}),
        ]),
        ...SCENARIOS,
      ];
      const results = await run(client, calls);
      for (const [component, fault] of WEATHER_FAULTS) {
        weather.fail(component, fault);
        results.push(...(await run(client, [{ tool: "get_weather", args: BASELINES.get_weather ?? {} }])));
        weather.heal();
      }
      await client.close();

      const { client: refusedClient } = await connectClient(denied.mcpUrl);
      results.push(
        ...(await run(
          refusedClient,
          tools.map((tool) => ({ tool: tool.name, args: BASELINES[tool.name] ?? {} })),
        )),
      );
      await refusedClient.close();

      const problems = results.flatMap(({ call, result }) => guidanceProblems(call.tool, result, context));
      assert.deepEqual(problems, [], "what a model is told contradicts itself");

      const failedTools = new Set(
        results.filter(({ result }) => result.isError === true).map(({ call }) => call.tool),
      );
      assert.deepEqual(
        tools.map((tool) => tool.name).filter((name) => !failedTools.has(name)),
        [],
        "every tool's error paths were walked",
      );
      const types = new Set(results.map(({ result }) => errorTypeOf(result)));
      assert.deepEqual(
        REACHABLE_TYPES.filter((type) => !types.has(type)),
        [],
        "every reachable error type was met",
      );
      assert.ok(!types.has("internal_error"), "no call ended in internal_error (an unusable step would)");
      assert.ok(results.length > 400, `a corpus of ${results.length} calls`);
    });

    it("fails when a tool gives a contradictory suggestion (the check is not vacuous)", async () => {
      const contradictions = [
        defineTool({
          name: "says_wait_but_not_retryable",
          description: "Test tool: a refusal waiting cannot clear, phrased as if it could.",
          annotations: {},
          input: z.object({}),
          handler: () => {
            throw conflict({
              message: "The thing is archived",
              retryable: false,
              suggestion: "Wait 10 seconds, then try again.",
            });
          },
        }),
        defineTool({
          name: "says_do_not_retry_but_retryable",
          description: "Test tool: a transient failure whose suggestion forbids retrying.",
          annotations: {},
          input: z.object({}),
          handler: () => {
            throw rateLimited({ retryAfterSeconds: 5 }).with({ suggestion: "Do not retry this call." });
          },
        }),
      ];
      const injected = await startServer(ENV, { extraTools: contradictions });
      try {
        const { client } = await connectClient(injected.mcpUrl);
        const results = await run(
          client,
          contradictions.map((tool) => ({ tool: tool.name, args: {} })),
        );
        await client.close();
        const all = new Set([...context.tools, ...contradictions.map((tool) => tool.name)]);
        const problems = results.flatMap(({ call, result }) =>
          guidanceProblems(call.tool, result, { ...context, tools: all }),
        );
        assert.deepEqual(problems, [
          'says_wait_but_not_retryable: conflict advises retrying without should_retry: "Wait 10 seconds, then try again."',
          'says_do_not_retry_but_retryable: rate_limited says not to retry with should_retry true: "Wait 5 seconds, then call says_do_not_retry_but_retryable again. Do not retry this call."',
        ]);
      } finally {
        await injected.close();
      }
    });
  },
);
