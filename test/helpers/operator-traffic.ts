import assert from "node:assert/strict";
import { z } from "zod";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { defineTool, type AnyToolDefinition } from "../../src/tools/tool-definition.js";
import { withDeadline } from "./deadline.js";
import { faults, type FaultServer } from "./fault-server.js";
import { connectClient } from "./mcp-client.js";

/**
 * Traffic an operator's dashboards and alerts must be able to show: successes, every error type
 * of the catalog, an unknown tool, an upstream whose circuit opens, requests refused at the HTTP
 * level. Shared by the Prometheus proof and the log checks, so both see the same run.
 */

/** Two tools a product never has, for the error types no product tool produces on demand. */
export const OPERATOR_TEST_TOOLS: readonly AnyToolDefinition[] = [
  defineTool({
    name: "always_fails",
    description: "Test tool: throws an unexpected error, which the runner masks as internal_error.",
    annotations: { readOnlyHint: true },
    input: z.object({}),
    handler: () => {
      throw new TypeError("cannot read properties of undefined (reading 'rows')");
    },
  }),
  defineTool({
    name: "sleeps",
    description: "Test tool: waits for its signal (cancel or deadline), then gives up.",
    annotations: { readOnlyHint: true },
    input: z.object({ ms: z.number().int().min(0).max(60_000) }),
    timeoutMs: 300,
    handler: async ({ ms }, ctx) => {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        ctx.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(ctx.signal.reason as Error);
        });
      });
      return { slept: ms };
    },
  }),
];

/** The environment a server needs for this traffic: the upstream fake, a breaker that opens at 2. */
export function operatorTrafficEnv(upstream: FaultServer): Record<string, string> {
  return {
    UPSTREAM_BASE_URL: upstream.url,
    UPSTREAM_MAX_RETRIES: "0",
    UPSTREAM_BREAKER_FAILURES: "2",
    // Open for the whole test, so Prometheus scrapes it open.
    UPSTREAM_BREAKER_HALF_OPEN_MS: "600000",
    UPSTREAM_TIMEOUT_MS: "2000",
  };
}

/** A failed call the client saw: its error type and the reference id to find it in the log. */
export interface SeenFailure {
  readonly tool: string;
  readonly type: string;
  readonly referenceId: string;
}

/** What the traffic produced. */
export interface TrafficReport {
  readonly failures: readonly SeenFailure[];
  /** Error types the client saw (cancelled is never answered, so it is not among them). */
  readonly types: ReadonlySet<string>;
  readonly unknownToolReferenceId: string;
}

interface Envelope {
  readonly success: boolean;
  readonly error?: { readonly type: string; readonly reference_id: string };
}

/** Drives the traffic against a running server whose upstream is `upstream`. */
export async function driveOperatorTraffic(base: URL, upstream: FaultServer): Promise<TrafficReport> {
  upstream.on("/posts/1", faults.ok({ id: 1, title: "hello" }));
  upstream.on("/limited", faults.rateLimited(30));
  upstream.on("/broken", faults.status(500));
  const { client } = await connectClient(new URL("/mcp", base));
  const failures: SeenFailure[] = [];
  const call = async (tool: string, args: Record<string, unknown>): Promise<Envelope> => {
    const result = await client.callTool({ name: tool, arguments: args }, undefined, { timeout: 15_000 });
    const envelope = result.structuredContent as Envelope;
    if (envelope.error !== undefined) {
      failures.push({ tool, type: envelope.error.type, referenceId: envelope.error.reference_id });
    }
    return envelope;
  };
  try {
    for (const id of ["1", "2"]) await call("get_user", { user_id: id });
    await call("list_applications", {});
    await call("fetch_api_data", { endpoint: "posts/1" });
    await call("get_user", { user_id: "not-a-number" });
    await call("get_user", { user_id: "99" });
    await call("manage_project", { action: "create", project_name: "ops-traffic" });
    await call("manage_project", { action: "create", project_name: "ops-traffic" });
    await call("manage_project", { action: "delete", project_name: "ops-traffic" });
    await call("deploy_application", { app_name: "web-frontend", environment: "staging" });
    await call("deploy_application", { app_name: "web-frontend", environment: "staging" });
    await call("fetch_api_data", { endpoint: "limited" });
    // Two server errors open the circuit; the third call fails fast.
    for (let i = 0; i < 3; i++) await call("fetch_api_data", { endpoint: "broken" });
    await call("sleeps", { ms: 5000 });
    await call("always_fails", {});
    await cancelOneCall(client);
    const unknownToolReferenceId = await callUnknownTool(client);
    await refuseAtHttpLevel(base);
    return { failures, types: new Set(failures.map((failure) => failure.type)), unknownToolReferenceId };
  } finally {
    await client.close();
  }
}

/** A call the client cancels: the server answers nothing, but counts and logs it as cancelled. */
async function cancelOneCall(client: Client): Promise<void> {
  const controller = new AbortController();
  const pending = client.callTool({ name: "sleeps", arguments: { ms: 200 } }, undefined, {
    signal: controller.signal,
  });
  setTimeout(() => {
    controller.abort(new Error("the user changed their mind"));
  }, 50);
  await withDeadline(
    "the cancelled call to settle",
    pending.then(
      () => undefined,
      () => undefined,
    ),
  );
}

async function callUnknownTool(client: Client): Promise<string> {
  try {
    await client.callTool({ name: "get_usr", arguments: {} });
  } catch (error) {
    const referenceId = (error as { data?: { reference_id?: unknown } }).data?.reference_id;
    assert.equal(typeof referenceId, "string", "the unknown-tool error carries a reference id");
    return referenceId as string;
  }
  assert.fail("an unknown tool must be a JSON-RPC error");
}

/** Requests refused before any MCP method: a browser origin that is not allowed (403). */
async function refuseAtHttpLevel(base: URL): Promise<void> {
  for (let i = 0; i < 25; i++) {
    const response = await fetch(new URL("/mcp", base), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        origin: "https://evil.example",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
      signal: AbortSignal.timeout(10_000),
    });
    await response.text();
    assert.equal(response.status, 403);
  }
}
