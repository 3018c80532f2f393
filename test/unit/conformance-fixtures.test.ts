import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  CallToolRequestSchema,
  CallToolResultSchema,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListToolsRequestSchema,
  LoggingMessageNotificationSchema,
  type CallToolResult,
  type CreateMessageRequest,
  type ElicitRequest,
  type LoggingLevel,
  type LoggingMessageNotification,
  type Progress,
} from "@modelcontextprotocol/sdk/types.js";
import {
  createConformanceFixtureTools,
  logLevelAllows,
  registerConformanceFixtures,
} from "../../src/mcp/conformance/index.js";
import { registerFixtureSubscriptions } from "../../src/mcp/conformance/fixture-subscriptions.js";
import type { McpRequestExtra, RawTool } from "../../src/mcp/raw-tool.js";

// Every tool name the 0.2.0-alpha.12 server scenarios call or look up, in both protocol eras.
const SCENARIO_TOOL_NAMES = [
  "test_simple_text",
  "test_image_content",
  "test_audio_content",
  "test_embedded_resource",
  "test_multiple_content_types",
  "test_tool_with_logging",
  "test_error_handling",
  "test_tool_with_progress",
  "test_sampling",
  "test_elicitation",
  "test_elicitation_sep1034_defaults",
  "test_elicitation_sep1330_enums",
  "json_schema_2020_12_tool",
  "test_reconnection",
  "test_logging_tool",
  "test_missing_capability",
  "test_streaming_elicitation",
  "test_input_required_result_elicitation",
  "test_input_required_result_sampling",
  "test_input_required_result_list_roots",
  "test_input_required_result_request_state",
  "test_input_required_result_multiple_inputs",
  "test_input_required_result_multi_round",
  "test_input_required_result_tampered_state",
  "test_input_required_result_capabilities",
];

interface Harness {
  client: Client;
  logs: LoggingMessageNotification["params"][];
  /** Date.now() at each log notification's arrival, parallel to `logs`. */
  logArrivals: number[];
  samplingRequests: CreateMessageRequest["params"][];
  elicitations: ElicitRequest["params"][];
  /** What the test's log gate treats as the session's level (stands in for the host's tracking). */
  threshold: { level: LoggingLevel | undefined };
  close(): Promise<void>;
}

/** Mirrors what the host does: McpServer + fixtures, plus a tools/list + tools/call over RawTools. */
async function startHarness(clientCanSampleAndElicit = true): Promise<Harness> {
  const threshold: Harness["threshold"] = { level: undefined };
  const tools = createConformanceFixtureTools({
    isLogLevelEnabled: (level) => logLevelAllows(threshold.level, level),
  });
  const byName = new Map<string, RawTool>(tools.map((tool) => [tool.definition.name, tool]));

  const mcp = new McpServer({ name: "fixture-test", version: "0.0.0" }, { capabilities: { logging: {} } });
  registerConformanceFixtures(mcp, () => undefined);
  mcp.server.registerCapabilities({ tools: {} });
  mcp.server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: tools.map((tool) => tool.definition),
  }));
  mcp.server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
    const tool = byName.get(request.params.name);
    if (tool === undefined) throw new Error(`unknown tool ${request.params.name}`);
    return tool.call(request.params.arguments ?? {}, extra);
  });

  const client = new Client(
    { name: "fixture-test-client", version: "0.0.0" },
    { capabilities: clientCanSampleAndElicit ? { sampling: {}, elicitation: {} } : {} },
  );
  const harness: Harness = {
    client,
    logs: [],
    logArrivals: [],
    samplingRequests: [],
    elicitations: [],
    threshold,
    close: async () => {
      await client.close();
      await mcp.close();
    },
  };
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
    harness.logs.push(notification.params);
    harness.logArrivals.push(Date.now());
  });
  if (clientCanSampleAndElicit) {
    client.setRequestHandler(CreateMessageRequestSchema, (request) => {
      harness.samplingRequests.push(request.params);
      return {
        role: "assistant",
        content: { type: "text", text: "sampled answer" },
        model: "fake-model",
        stopReason: "endTurn",
      };
    });
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      harness.elicitations.push(request.params);
      return { action: "accept", content: { username: "ada", email: "ada@example.com" } };
    });
  }

  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([mcp.connect(serverSide), client.connect(clientSide)]);
  return harness;
}

async function call(
  harness: Harness,
  name: string,
  args: Record<string, unknown> = {},
): Promise<CallToolResult> {
  return CallToolResultSchema.parse(await harness.client.callTool({ name, arguments: args }));
}

function onlyText(result: CallToolResult): string {
  assert.equal(result.content.length, 1);
  const [block] = result.content;
  assert.equal(block?.type, "text");
  return block.text;
}

function requestedProperties(params: ElicitRequest["params"] | undefined): Record<string, unknown> {
  assert.ok(params !== undefined, "no elicitation request reached the client");
  assert.ok("requestedSchema" in params, "expected a form elicitation");
  return params.requestedSchema.properties;
}

describe("conformance fixture tools", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it("lists every scenario tool once, each with a description and an object inputSchema", async () => {
    const { tools } = await h.client.listTools();
    const names = tools.map((tool) => tool.name);
    assert.deepEqual([...names].sort(), [...SCENARIO_TOOL_NAMES].sort());
    for (const tool of tools) {
      assert.ok(tool.description, `${tool.name} has no description`);
      assert.equal(tool.inputSchema.type, "object");
    }
  });

  it("builds fresh but equivalent lists on each call", () => {
    const first = createConformanceFixtureTools().map((tool) => tool.definition);
    const second = createConformanceFixtureTools().map((tool) => tool.definition);
    assert.deepEqual(first, second);
  });

  it("keeps the 2020-12 keywords of json_schema_2020_12_tool through tools/list", async () => {
    const { tools } = await h.client.listTools();
    const schema = tools.find((tool) => tool.name === "json_schema_2020_12_tool")?.inputSchema;
    assert.ok(schema);
    assert.equal(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert.deepEqual(Object.keys(schema["$defs"] as object), ["address"]);
    assert.equal(schema["additionalProperties"], false);
    assert.deepEqual(schema.properties?.["address"], { $ref: "#/$defs/address" });
  });

  it("test_simple_text returns the scenario's text", async () => {
    assert.equal(onlyText(await call(h, "test_simple_text")), "This is a simple text response for testing.");
  });

  it("test_image_content returns a decodable PNG", async () => {
    const [block] = (await call(h, "test_image_content")).content;
    assert.equal(block?.type, "image");
    assert.equal(block.mimeType, "image/png");
    assert.deepEqual([...Buffer.from(block.data, "base64").subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  });

  it("test_audio_content returns a WAV", async () => {
    const [block] = (await call(h, "test_audio_content")).content;
    assert.equal(block?.type, "audio");
    assert.equal(block.mimeType, "audio/wav");
    const bytes = Buffer.from(block.data, "base64");
    assert.equal(bytes.toString("latin1", 0, 4), "RIFF");
    assert.equal(bytes.toString("latin1", 8, 12), "WAVE");
  });

  it("test_embedded_resource returns a text resource with uri and mimeType", async () => {
    const [block] = (await call(h, "test_embedded_resource")).content;
    assert.equal(block?.type, "resource");
    assert.deepEqual(block.resource, {
      uri: "test://embedded-resource",
      mimeType: "text/plain",
      text: "This is an embedded resource content.",
    });
  });

  it("test_multiple_content_types returns text, image and resource", async () => {
    const { content } = await call(h, "test_multiple_content_types");
    assert.deepEqual(
      content.map((block) => block.type),
      ["text", "image", "resource"],
    );
    const resource = content[2];
    assert.equal(resource?.type, "resource");
    assert.deepEqual(JSON.parse("text" in resource.resource ? resource.resource.text : ""), {
      test: "data",
      value: 123,
    });
  });

  it("test_error_handling reports isError with a message, not a protocol error", async () => {
    const result = await call(h, "test_error_handling");
    assert.equal(result.isError, true);
    assert.equal(onlyText(result), "This tool intentionally returns an error for testing");
  });

  it("test_tool_with_logging sends three info messages ~50 ms apart before answering", async () => {
    h.logs.length = 0;
    assert.deepEqual(await h.client.setLoggingLevel("debug"), {});
    h.threshold.level = "debug";
    h.logArrivals.length = 0;
    const result = await call(h, "test_tool_with_logging");
    // Checked as soon as the call resolves: the messages must precede the result, not trail it.
    assert.deepEqual(
      h.logs.map((log) => [log.level, log.data]),
      [
        ["info", "Tool execution started"],
        ["info", "Tool processing data"],
        ["info", "Tool execution completed"],
      ],
    );
    const [first = 0, , last = 0] = h.logArrivals;
    assert.ok(last - first >= 90, `three messages arrived within ${last - first} ms`);
    assert.match(onlyText(result), /3 log notification/);
  });

  it("test_tool_with_logging consults the log gate and sends nothing below the session level", async () => {
    h.logs.length = 0;
    h.threshold.level = "warning";
    const result = await call(h, "test_tool_with_logging");
    h.threshold.level = undefined;
    assert.deepEqual(h.logs, []);
    assert.match(onlyText(result), /0 log notification/);
  });

  it("test_tool_with_progress reports 0, 50, 100 of 100 against the request's token", async () => {
    const updates: Progress[] = [];
    const result = await h.client.callTool({ name: "test_tool_with_progress", arguments: {} }, undefined, {
      onprogress: (progress) => updates.push(progress),
    });
    assert.deepEqual(
      updates.map(({ progress, total }) => [progress, total]),
      [
        [0, 100],
        [50, 100],
        [100, 100],
      ],
    );
    assert.notEqual(result.isError, true);
  });

  it("test_tool_with_progress still answers when no progress token was sent", async () => {
    assert.match(onlyText(await call(h, "test_tool_with_progress")), /100 of 100/);
  });

  it("test_sampling asks the client to sample the prompt and relays the answer", async () => {
    h.samplingRequests.length = 0;
    const result = await call(h, "test_sampling", { prompt: "Say hi" });
    assert.equal(onlyText(result), "LLM response: sampled answer");
    assert.equal(h.samplingRequests.length, 1);
    const [request] = h.samplingRequests;
    assert.equal(request?.maxTokens, 100);
    assert.deepEqual(request.messages, [{ role: "user", content: { type: "text", text: "Say hi" } }]);
  });

  it("test_sampling rejects a missing prompt as a tool error", async () => {
    const result = await call(h, "test_sampling", {});
    assert.equal(result.isError, true);
    assert.match(onlyText(result), /prompt/);
  });

  it("test_elicitation sends the message and user-details form, and reports the answer", async () => {
    h.elicitations.length = 0;
    const result = await call(h, "test_elicitation", { message: "Who are you?" });
    assert.equal(
      onlyText(result),
      'User response: action=accept, content={"username":"ada","email":"ada@example.com"}',
    );
    const [params] = h.elicitations;
    assert.equal(params?.message, "Who are you?");
    assert.ok("requestedSchema" in params);
    assert.deepEqual(params.requestedSchema.required, ["username", "email"]);
    assert.deepEqual(Object.keys(params.requestedSchema.properties), ["username", "email"]);
  });

  it("test_elicitation_sep1034_defaults offers a default for every primitive type", async () => {
    h.elicitations.length = 0;
    const result = await call(h, "test_elicitation_sep1034_defaults");
    assert.match(onlyText(result), /^Elicitation completed: action=accept, content=\{/);
    const properties = requestedProperties(h.elicitations[0]);
    const typeAndDefault = Object.fromEntries(
      Object.entries(properties).map(([name, schema]) => {
        const { type, default: fallback } = schema as { type: string; default: unknown };
        return [name, [type, fallback]];
      }),
    );
    assert.deepEqual(typeAndDefault, {
      name: ["string", "John Doe"],
      age: ["integer", 30],
      score: ["number", 95.5],
      status: ["string", "active"],
      verified: ["boolean", true],
    });
    assert.deepEqual((properties["status"] as { enum: string[] }).enum, ["active", "inactive", "pending"]);
  });

  it("test_elicitation_sep1330_enums uses each enum variant in the shape the scenario checks", async () => {
    h.elicitations.length = 0;
    await call(h, "test_elicitation_sep1330_enums");
    const p = requestedProperties(h.elicitations[0]) as Record<string, Record<string, unknown>>;
    const pair = (item: unknown) => {
      const { const: value, title } = item as { const: unknown; title: unknown };
      return typeof value === "string" && typeof title === "string";
    };

    assert.equal(p["untitledSingle"]?.["type"], "string");
    assert.ok(Array.isArray(p["untitledSingle"]["enum"]));
    assert.equal(p["untitledSingle"]["oneOf"], undefined);
    assert.equal(p["untitledSingle"]["enumNames"], undefined);

    assert.equal(p["titledSingle"]?.["type"], "string");
    assert.ok((p["titledSingle"]["oneOf"] as unknown[]).every(pair));
    assert.equal(p["titledSingle"]["enum"], undefined);

    const legacy = p["legacyEnum"] as { type: string; enum: string[]; enumNames: string[] };
    assert.equal(legacy.type, "string");
    assert.equal(legacy.enumNames.length, legacy.enum.length);

    const untitledMulti = p["untitledMulti"] as { type: string; items: Record<string, unknown> };
    assert.equal(untitledMulti.type, "array");
    assert.equal(untitledMulti.items["type"], "string");
    assert.ok(Array.isArray(untitledMulti.items["enum"]));
    assert.equal(untitledMulti.items["anyOf"], undefined);

    const titledMulti = p["titledMulti"] as { type: string; items: Record<string, unknown> };
    assert.equal(titledMulti.type, "array");
    assert.ok((titledMulti.items["anyOf"] as unknown[]).every(pair));
    assert.equal(titledMulti.items["enum"], undefined);
  });

  it("test_reconnection answers even when the transport cannot close its stream", async () => {
    const result = await call(h, "test_reconnection");
    assert.notEqual(result.isError, true);
    assert.match(onlyText(result), /without closing/);
  });
});

describe("test_reconnection with a resumable transport", () => {
  it("closes the stream first, then answers later so the result has to travel via the event store", async () => {
    const tool = createConformanceFixtureTools().find((t) => t.definition.name === "test_reconnection");
    assert.ok(tool);
    let closedAt: number | undefined;
    const extra: McpRequestExtra = {
      signal: new AbortController().signal,
      requestId: 1,
      sendNotification: () => Promise.resolve(),
      sendRequest: () => Promise.reject(new Error("not expected")),
      closeSSEStream: () => {
        closedAt = Date.now();
      },
    };
    const result = await tool.call({}, extra);
    const answeredAt = Date.now();
    assert.ok(closedAt !== undefined, "closeSSEStream was not called");
    assert.ok(answeredAt - closedAt >= 90, `answered only ${answeredAt - closedAt} ms after closing`);
    assert.notEqual(result.isError, true);
    assert.match(onlyText(result), /after closing its stream/);
  });
});

describe("conformance fixtures against a client without sampling or elicitation", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(false);
  });
  after(() => h.close());

  for (const [name, args] of [
    ["test_sampling", { prompt: "hi" }],
    ["test_elicitation", { message: "hi" }],
    ["test_elicitation_sep1034_defaults", {}],
  ] as const) {
    it(`${name} turns the client's refusal into a tool error`, async () => {
      const result = await call(h, name, args);
      assert.equal(result.isError, true);
      assert.match(onlyText(result), /failed/i);
    });
  }
});

describe("conformance fixture resources", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it("declares resources.subscribe, prompts and completions", () => {
    const capabilities = h.client.getServerCapabilities();
    assert.equal(capabilities?.resources?.subscribe, true);
    assert.ok(capabilities.prompts);
    assert.ok(capabilities.completions);
  });

  it("lists the direct resources with uri, name and description, and no templates", async () => {
    const { resources } = await h.client.listResources();
    assert.deepEqual(resources.map((r) => r.uri).sort(), [
      "test://static-binary",
      "test://static-text",
      "test://watched-resource",
    ]);
    for (const resource of resources) {
      assert.ok(resource.name && resource.description, `${resource.uri} lacks name or description`);
    }
  });

  it("lists the data template", async () => {
    const { resourceTemplates } = await h.client.listResourceTemplates();
    assert.deepEqual(
      resourceTemplates.map((t) => t.uriTemplate),
      ["test://template/{id}/data"],
    );
  });

  it("reads test://static-text", async () => {
    const { contents } = await h.client.readResource({ uri: "test://static-text" });
    assert.deepEqual(contents, [
      {
        uri: "test://static-text",
        mimeType: "text/plain",
        text: "This is the content of the static text resource.",
      },
    ]);
  });

  it("reads test://static-binary as a PNG blob", async () => {
    const [content] = (await h.client.readResource({ uri: "test://static-binary" })).contents;
    assert.equal(content?.mimeType, "image/png");
    assert.ok("blob" in content);
    assert.equal(Buffer.from(content.blob, "base64").toString("latin1", 1, 4), "PNG");
  });

  it("substitutes the id into test://template/{id}/data", async () => {
    const [content] = (await h.client.readResource({ uri: "test://template/123/data" })).contents;
    assert.equal(content?.uri, "test://template/123/data");
    assert.equal(content.mimeType, "application/json");
    assert.ok("text" in content);
    assert.deepEqual(JSON.parse(content.text), { id: "123", templateTest: true, data: "Data for ID: 123" });
  });

  it("answers subscribe and unsubscribe with an empty object", async () => {
    assert.deepEqual(await h.client.subscribeResource({ uri: "test://watched-resource" }), {});
    assert.deepEqual(await h.client.unsubscribeResource({ uri: "test://watched-resource" }), {});
  });
});

describe("fixture subscriptions bookkeeping", () => {
  it("tracks subscribed URIs per server and forgets them on unsubscribe", async () => {
    const mcp = new McpServer({ name: "subs", version: "0.0.0" });
    const subscribed = registerFixtureSubscriptions(mcp);
    const client = new Client({ name: "subs-client", version: "0.0.0" });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await Promise.all([mcp.connect(serverSide), client.connect(clientSide)]);
    try {
      await client.subscribeResource({ uri: "test://watched-resource" });
      assert.deepEqual([...subscribed], ["test://watched-resource"]);
      await client.unsubscribeResource({ uri: "test://watched-resource" });
      assert.deepEqual([...subscribed], []);
    } finally {
      await client.close();
      await mcp.close();
    }
  });
});

describe("conformance fixture prompts and completion", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it("lists the five prompts with descriptions and the declared arguments", async () => {
    const { prompts } = await h.client.listPrompts();
    const summary = Object.fromEntries(
      prompts.map((p) => [p.name, (p.arguments ?? []).map((a) => `${a.name}${a.required ? "!" : "?"}`)]),
    );
    assert.deepEqual(summary, {
      test_simple_prompt: [],
      test_prompt_with_arguments: ["arg1!", "arg2!"],
      test_prompt_with_embedded_resource: ["resourceUri!"],
      test_prompt_with_image: [],
      test_input_required_result_prompt: [],
    });
    for (const prompt of prompts) assert.ok(prompt.description, `${prompt.name} has no description`);
  });

  it("test_simple_prompt returns one user text message", async () => {
    const { messages } = await h.client.getPrompt({ name: "test_simple_prompt" });
    assert.deepEqual(messages, [
      { role: "user", content: { type: "text", text: "This is a simple prompt for testing." } },
    ]);
  });

  it("test_prompt_with_arguments substitutes both arguments", async () => {
    const { messages } = await h.client.getPrompt({
      name: "test_prompt_with_arguments",
      arguments: { arg1: "testValue1", arg2: "testValue2" },
    });
    assert.deepEqual(messages, [
      {
        role: "user",
        content: { type: "text", text: "Prompt with arguments: arg1='testValue1', arg2='testValue2'" },
      },
    ]);
  });

  it("test_prompt_with_embedded_resource embeds the given URI", async () => {
    const { messages } = await h.client.getPrompt({
      name: "test_prompt_with_embedded_resource",
      arguments: { resourceUri: "test://example-resource" },
    });
    const [first, second] = messages;
    assert.equal(first?.content.type, "resource");
    assert.equal(first.content.resource.uri, "test://example-resource");
    assert.deepEqual(second?.content, { type: "text", text: "Please process the embedded resource above." });
  });

  it("test_prompt_with_image carries a PNG image", async () => {
    const { messages } = await h.client.getPrompt({ name: "test_prompt_with_image" });
    const [first] = messages;
    assert.equal(first?.content.type, "image");
    assert.equal(first.content.mimeType, "image/png");
    assert.ok(first.content.data.length > 0);
  });

  it("completes test_prompt_with_arguments.arg1 by prefix", async () => {
    const { completion } = await h.client.complete({
      ref: { type: "ref/prompt", name: "test_prompt_with_arguments" },
      argument: { name: "arg1", value: "te" },
    });
    assert.deepEqual(completion.values, ["test", "testing"]);
  });

  it("answers the scenario's exact completion request with a values array", async () => {
    const { completion } = await h.client.complete({
      ref: { type: "ref/prompt", name: "test_prompt_with_arguments" },
      argument: { name: "arg1", value: "test" },
    });
    assert.ok(Array.isArray(completion.values));
  });
});

describe("logLevelAllows", () => {
  it("lets everything through until a level is set, then only that level and above", () => {
    assert.equal(logLevelAllows(undefined, "debug"), true);
    assert.equal(logLevelAllows("info", "info"), true);
    assert.equal(logLevelAllows("info", "debug"), false);
    assert.equal(logLevelAllows("warning", "info"), false);
    assert.equal(logLevelAllows("warning", "emergency"), true);
  });
});
