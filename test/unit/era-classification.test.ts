import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { classifyInboundRequest } from "@modelcontextprotocol/server";
import fc from "fast-check";
import { classifyEra, type EraRoute } from "../../src/mcp/modern/era-classification.js";

/**
 * The endpoint decides the era of a POST with its own classifier (the SDK's costs ~45 µs a
 * request in schema parses). The SDK's `classifyInboundRequest` is the reference: on every input
 * both must route the same way, and refuse with the same HTTP status and JSON-RPC code.
 */

type Outcome = { kind: "legacy" } | { kind: "modern" } | { kind: "refuse"; status: number; code: number };

function ours(route: EraRoute): Outcome {
  if (route.kind === "refuse") return { kind: "refuse", status: route.status, code: route.code };
  return route.kind === "legacy" ? { kind: "legacy" } : { kind: "modern" };
}

function theirs(body: unknown, headers: Headers): Outcome {
  const outcome = classifyInboundRequest({ httpMethod: "POST", body, ...headers });
  if (outcome.kind === "reject") return { kind: "refuse", status: outcome.httpStatus, code: outcome.code };
  return { kind: outcome.kind };
}

interface Headers {
  protocolVersionHeader?: string;
  mcpMethodHeader?: string;
  mcpNameHeader?: string;
}

function compare(body: JSONRPCMessage | JSONRPCMessage[], headers: Headers): void {
  const batch = Array.isArray(body);
  const route = classifyEra(batch ? body : [body], batch, {
    protocolVersion: headers.protocolVersionHeader,
    method: headers.mcpMethodHeader,
    name: headers.mcpNameHeader,
  });
  assert.deepEqual(ours(route), theirs(body, headers), JSON.stringify({ body, headers }));
}

const META_KEYS = {
  version: "io.modelcontextprotocol/protocolVersion",
  capabilities: "io.modelcontextprotocol/clientCapabilities",
  info: "io.modelcontextprotocol/clientInfo",
  level: "io.modelcontextprotocol/logLevel",
};

const meta = fc.record(
  {
    [META_KEYS.version]: fc.constantFrom<unknown>("2026-07-28", "2025-11-25", "v999.0.0", 5),
    [META_KEYS.capabilities]: fc.constantFrom<unknown>(
      {},
      { sampling: {} },
      { elicitation: { form: {} } },
      "all",
      [],
    ),
    [META_KEYS.info]: fc.constantFrom<unknown>({ name: "c", version: "1" }, { name: 1 }),
    [META_KEYS.level]: fc.constantFrom<unknown>("info", "debug", "loud"),
    progressToken: fc.constantFrom<unknown>("p-1", 3),
  },
  { requiredKeys: [] },
);

const method = fc.constantFrom(
  "initialize",
  "tools/call",
  "tools/list",
  "server/discover",
  "ping",
  "prompts/get",
);
const params = fc.option(
  fc.record(
    { _meta: fc.option(meta, { nil: undefined }), name: fc.constantFrom("get_user", "other") },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);
const headers = fc.record(
  {
    protocolVersionHeader: fc.constantFrom("2026-07-28", "2025-11-25", "2025-06-18", "v999.0.0"),
    mcpMethodHeader: fc.constantFrom("tools/call", "tools/list", "initialize", "server/discover"),
    mcpNameHeader: fc.constantFrom("get_user", "other"),
  },
  { requiredKeys: [] },
);

describe("era classification agrees with the SDK's classifyInboundRequest", () => {
  it("on requests, with and without an envelope claim, under any protocol headers", () => {
    fc.assert(
      fc.property(method, params, headers, fc.integer({ min: 1, max: 9 }), (name, body, sent, id) => {
        const request: JSONRPCMessage = {
          jsonrpc: "2.0",
          id,
          method: name,
          ...(body === undefined ? {} : { params: dropUndefined(body) }),
        };
        compare(request, sent);
      }),
      { numRuns: 3000 },
    );
  });

  it("on notifications", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("notifications/initialized", "notifications/cancelled"),
        params,
        headers,
        (name, body, sent) => {
          const notification: JSONRPCMessage = {
            jsonrpc: "2.0",
            method: name,
            ...(body === undefined ? {} : { params: dropUndefined(body) }),
          };
          compare(notification, sent);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("on batches and posted responses", () => {
    const claim = { _meta: { [META_KEYS.version]: "2026-07-28", [META_KEYS.capabilities]: {} } };
    compare(
      [
        { jsonrpc: "2.0", id: 1, method: "tools/list" },
        { jsonrpc: "2.0", id: 2, method: "ping" },
      ],
      {},
    );
    compare([{ jsonrpc: "2.0", id: 1, method: "tools/list", params: claim }], {});
    compare({ jsonrpc: "2.0", id: 1, result: {} }, {});
    compare({ jsonrpc: "2.0", id: 1, error: { code: -32601, message: "no" } }, {});
  });
});

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined));
}
