import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createMCPClient, ElicitationRequestSchema } from "@ai-sdk/mcp";
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema, ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { withDeadline } from "../helpers/deadline.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";

/**
 * Real clients, over real HTTP, against one server that speaks both protocol eras: the official
 * v1 client (a 2025-11-25 session), the official v2 client pinned to 2026-07-28 and negotiating
 * (`auto`), and the Vercel AI SDK client with and without its server/discover probe. Each connects,
 * lists, calls with success, not_found and validation outcomes, waits on a streamed deployment,
 * and answers the production deploy's confirmation both ways.
 */

interface ToolAnswer {
  readonly isError: boolean;
  readonly envelope: any;
}

/** What the matrix needs from a client, whatever its API. */
interface MatrixClient {
  readonly era: string | undefined;
  /** The answer the user gives the next confirmation, and how many were asked. */
  answer: "accept" | "decline";
  asked: number;
  listTools(): Promise<string[]>;
  call(
    name: string,
    args: Record<string, unknown>,
    onProgress?: (progress: number) => void,
  ): Promise<ToolAnswer>;
  /** A call the server refuses at the protocol level: its JSON-RPC code and message. */
  callRefused(name: string): Promise<{ code: number | undefined; message: string }>;
  close(): Promise<void>;
}

function envelopeOf(answer: unknown): ToolAnswer {
  const result = answer as { isError?: unknown; content?: { type: string; text: string }[] };
  const [first] = result.content ?? [];
  assert.equal(first?.type, "text");
  return { isError: result.isError === true, envelope: JSON.parse(first.text) };
}

function confirmation(client: MatrixClient) {
  return () => {
    client.asked += 1;
    return client.answer === "accept"
      ? { action: "accept" as const, content: { confirm: true } }
      : { action: "decline" as const };
  };
}

async function officialV1(url: URL): Promise<MatrixClient> {
  const sdk = new ClientV1({ name: "matrix-v1", version: "1.0.0" }, { capabilities: { elicitation: {} } });
  const transport = new TransportV1(url);
  const client: MatrixClient = {
    era: undefined,
    answer: "accept",
    asked: 0,
    listTools: async () => (await sdk.listTools()).tools.map((tool) => tool.name),
    call: async (name, args, onProgress) =>
      envelopeOf(
        await sdk.callTool({ name, arguments: args }, CallToolResultSchema, {
          ...(onProgress === undefined
            ? {}
            : {
                onprogress: ({ progress }) => {
                  onProgress(progress);
                },
              }),
        }),
      ),
    callRefused: async (name) => {
      try {
        await sdk.callTool({ name, arguments: {} });
      } catch (error) {
        return { code: (error as { code?: number }).code, message: (error as Error).message };
      }
      throw new Error(`${name} was not refused`);
    },
    close: () => sdk.close(),
  };
  sdk.setRequestHandler(ElicitRequestSchema, confirmation(client));
  await sdk.connect(transport);
  return Object.assign(client, { era: transport.protocolVersion });
}

async function officialV2(url: URL, mode: "auto" | { pin: string }): Promise<MatrixClient> {
  const sdk = new ClientV2(
    { name: "matrix-v2", version: "1.0.0" },
    { versionNegotiation: { mode }, capabilities: { elicitation: { form: {} } } },
  );
  const client: MatrixClient = {
    era: undefined,
    answer: "accept",
    asked: 0,
    listTools: async () => (await sdk.listTools()).tools.map((tool) => tool.name),
    call: async (name, args, onProgress) =>
      envelopeOf(
        await sdk.callTool(
          { name, arguments: args },
          onProgress === undefined
            ? {}
            : {
                onprogress: ({ progress }) => {
                  onProgress(progress);
                },
              },
        ),
      ),
    callRefused: async (name) => {
      try {
        await sdk.callTool({ name, arguments: {} });
      } catch (error) {
        return { code: (error as { code?: number }).code, message: (error as Error).message };
      }
      throw new Error(`${name} was not refused`);
    },
    close: () => sdk.close(),
  };
  sdk.setRequestHandler("elicitation/create", confirmation(client));
  await sdk.connect(new TransportV2(url));
  return Object.assign(client, { era: sdk.getNegotiatedProtocolVersion() });
}

async function aiSdk(url: URL, protocolVersionDiscovery: boolean): Promise<MatrixClient> {
  const sdk = await createMCPClient({
    transport: { type: "http", url: url.href },
    protocolVersionDiscovery,
    capabilities: { elicitation: {} },
  });
  const client: MatrixClient = {
    era: sdk.initializeResult.protocolVersion,
    answer: "accept",
    asked: 0,
    listTools: async () => (await sdk.listTools()).tools.map((tool) => tool.name),
    // Its callTool takes no progress callback; the streamed answer must still arrive whole.
    call: async (name, args) => envelopeOf(await sdk.callTool({ name, arguments: args })),
    callRefused: async (name) => {
      try {
        await sdk.callTool({ name, arguments: {} });
      } catch (error) {
        return { code: (error as { code?: number }).code, message: (error as Error).message };
      }
      throw new Error(`${name} was not refused`);
    },
    close: () => sdk.close(),
  };
  sdk.onElicitationRequest(ElicitationRequestSchema, confirmation(client));
  return client;
}

const CLIENTS: readonly {
  readonly label: string;
  readonly era: string;
  readonly progress: boolean;
  readonly connect: (url: URL) => Promise<MatrixClient>;
}[] = [
  { label: "official v1 client", era: "2025-11-25", progress: true, connect: officialV1 },
  {
    label: "official v2 client pinned to 2026-07-28",
    era: "2026-07-28",
    progress: true,
    connect: (url) => officialV2(url, { pin: "2026-07-28" }),
  },
  {
    label: "official v2 client, negotiation auto",
    era: "2026-07-28",
    progress: true,
    connect: (url) => officialV2(url, "auto"),
  },
  {
    label: "AI SDK client, server/discover probe",
    era: "2026-07-28",
    progress: false,
    connect: (url) => aiSdk(url, true),
  },
  {
    label: "AI SDK client, initialize",
    era: "2025-11-25",
    progress: false,
    connect: (url) => aiSdk(url, false),
  },
];

describe("real clients in both protocol eras", () => {
  let server: RunningServer;
  before(async () => {
    // Deployments run for 600 ms, longer than MCP_STREAM_AFTER_MS: a wait on one is a streamed answer.
    server = await startServer({ MCP_STREAM_AFTER_MS: "200", DEPLOY_QUEUED_MS: "0", DEPLOY_RUN_MS: "600" });
  });
  after(async () => {
    await server.close();
  });

  for (const kind of CLIENTS) {
    it(`${kind.label}: list, success, not_found, validation, unknown tool, streamed wait, production confirmation`, async () => {
      const client = await withDeadline(`${kind.label} connect`, kind.connect(server.mcpUrl));
      try {
        assert.equal(client.era, kind.era, "the protocol era the client ended up speaking");
        const tools = await withDeadline("tools/list", client.listTools());
        assert.ok(tools.includes("get_user") && tools.includes("deploy_application"), tools.join(", "));

        const found = await client.call("get_user", { user_id: "1" });
        assert.equal(found.envelope.success, true);
        const missing = await client.call("get_user", { user_id: "999" });
        assert.equal(missing.isError, true);
        assert.equal(missing.envelope.error.type, "not_found");
        const invalid = await client.call("get_user", { user_id: "abc" });
        assert.equal(invalid.envelope.error.type, "validation_error");
        const unknown = await client.callRefused("get_usr");
        assert.match(unknown.message, /Unknown tool "get_usr"\. Did you mean: "get_user"\?/);

        const deployed = await client.call("deploy_application", {
          app_name: "web-frontend",
          environment: "staging",
        });
        const progress: number[] = [];
        const waited = await withDeadline(
          "streamed wait_for_deployment",
          client.call(
            "wait_for_deployment",
            { deployment_id: deployed.envelope.data.deployment_id },
            (value) => progress.push(value),
          ),
        );
        assert.equal(waited.envelope.data.status, "succeeded", JSON.stringify(waited.envelope));
        if (kind.progress)
          assert.ok(progress.length >= 2 && progress.at(-1) === 100, `progress: ${progress.join(", ")}`);

        client.answer = "decline";
        const declined = await client.call("deploy_application", {
          app_name: "api-gateway",
          environment: "production",
        });
        assert.equal(client.asked, 1, `the user was asked to confirm: ${JSON.stringify(declined.envelope)}`);
        assert.equal(declined.isError, true);
        assert.equal(declined.envelope.error.type, "cancelled");
        assert.match(declined.envelope.error.message, /Nothing was deployed/);
        assert.equal(declined.envelope.error.retry?.should_retry ?? false, false);

        client.answer = "accept";
        const confirmed = await client.call("deploy_application", {
          app_name: "api-gateway",
          environment: "production",
        });
        assert.equal(client.asked, 2);
        assert.equal(confirmed.envelope.data?.status, "queued", JSON.stringify(confirmed.envelope));
        await client.call("wait_for_deployment", { deployment_id: confirmed.envelope.data.deployment_id });
      } finally {
        await client.close();
      }
    });
  }
});
