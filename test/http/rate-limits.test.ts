import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createKey, keysFilePath } from "../helpers/api-keys.js";
import { connectClient } from "../helpers/mcp-client.js";
import { McpHttpSession, readAnswer, toolCallRequest } from "../helpers/mcp-http-session.js";
import { counterValue } from "../helpers/network-envelope.js";
import { startServer } from "../helpers/test-server.js";
import { callEnvelope } from "../helpers/tool-calls.js";

const ping = (id: number) => ({ jsonrpc: "2.0", id, method: "ping" });

describe("rate limits", () => {
  it("over the HTTP request limit: 429, Retry-After, a JSON-RPC error of the request's era; other principals go on", async () => {
    const file = keysFilePath();
    const flooder = await createKey(file, "flooder");
    const neighbour = await createKey(file, "neighbour");
    const server = await startServer({
      AUTH_API_KEYS_FILE: file,
      RATE_LIMIT_REQUESTS: "6",
      RATE_LIMIT_WINDOW_MS: "60000",
    });
    try {
      const session = await McpHttpSession.open(server.mcpUrl, {
        headers: { Authorization: `Bearer ${flooder.key}` },
      });
      const statuses: number[] = [];
      let limited: Awaited<ReturnType<typeof readAnswer>> | undefined;
      for (let id = 1; id <= 8 && limited === undefined; id++) {
        const answer = await readAnswer(await session.post(ping(id)));
        statuses.push(answer.status);
        if (answer.status === 429) limited = answer;
      }
      assert.ok(limited !== undefined, `no 429 after ${statuses.join(",")}`);
      const retryAfter = Number(limited.headers.get("retry-after"));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${String(retryAfter)}`);
      const error = limited.messages[0]?.error;
      assert.equal(error?.code, -32000, "a 2025 client gets the SDK's server error code");
      assert.equal(error?.data?.retry_after_seconds, retryAfter);
      assert.match(String(error?.data?.suggestion), /Wait \d+ seconds/);

      const modern = await readAnswer(
        await session.post(ping(99), { headers: { "MCP-Protocol-Version": "2026-07-28" } }),
      );
      assert.equal(modern.status, 429);
      assert.equal(modern.messages[0]?.error?.code, -32600, "a 2026 client gets a code its revision defines");

      const other = await McpHttpSession.open(server.mcpUrl, {
        headers: { Authorization: `Bearer ${neighbour.key}` },
      });
      assert.equal(
        (await readAnswer(await other.post(ping(1)))).status,
        200,
        "another principal's budget is its own",
      );
      assert.ok((await counterValue(server.url, "mcp_rate_limited_total", { scope: "http" })) >= 2);
    } finally {
      await server.close();
    }
  });

  it("over the tool budget: rate_limited (-32002) with retry_after_seconds and should_retry; process_files costs its paths", async () => {
    const server = await startServer({ RATE_LIMIT_TOOL_COST: "10", RATE_LIMIT_WINDOW_MS: "60000" });
    const { client } = await connectClient(server.mcpUrl);
    try {
      const eight = Array.from({ length: 8 }, (_, index) => `missing-${String(index)}.txt`);
      const first = await callEnvelope(client, "process_files", { file_paths: eight, operation: "analyze" });
      assert.notEqual(first.envelope.error?.type, "rate_limited", "8 of 10 points fit");
      const second = await callEnvelope(client, "process_files", { file_paths: eight, operation: "analyze" });
      assert.equal(second.result.isError, true);
      const error = second.envelope.error;
      assert.equal(error?.type, "rate_limited");
      assert.equal(error?.code, -32002);
      assert.equal(error?.retry?.should_retry, true);
      assert.ok(
        error?.retry?.retry_after_seconds >= 1 && error.retry.retry_after_seconds <= 60,
        JSON.stringify(error),
      );
      // A cheaper call still fits in what is left (2 points).
      const cheap = await callEnvelope(client, "get_user", { user_id: 1 });
      assert.notEqual(cheap.envelope.error?.type, "rate_limited");
      assert.equal(await counterValue(server.url, "mcp_rate_limited_total", { scope: "tool" }), 1);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("a POST whose batch asks for more than MAX_ITEMS_PER_POST items in all: the calls past it are a validation_error naming the limit", async () => {
    const server = await startServer({ MAX_ITEMS_PER_POST: "50" });
    try {
      const session = await McpHttpSession.open(server.mcpUrl);
      const paths = Array.from({ length: 30 }, (_, index) => `missing-${String(index)}.txt`);
      const call = (id: number) =>
        toolCallRequest(id, "process_files", { file_paths: paths, operation: "analyze" });
      const answer = await readAnswer(await session.post([call(1), call(2)], { timeoutMs: 20_000 }));
      assert.equal(answer.status, 200, answer.text);
      const byId = new Map(answer.messages.map((message) => [message.id, message.result.structuredContent]));
      assert.notEqual(byId.get(1)?.error?.type, "validation_error", "the first 30 items fit");
      const refused = byId.get(2)?.error;
      assert.equal(refused?.type, "validation_error");
      assert.match(refused?.message, /60 items in all.*limit is 50 \(MAX_ITEMS_PER_POST\)/);
    } finally {
      await server.close();
    }
  });

  it("a result over MAX_RESULT_BYTES is not sent: the call is a validation_error naming the limit", async () => {
    const server = await startServer({ MAX_RESULT_BYTES: "4096" });
    const { client } = await connectClient(server.mcpUrl);
    try {
      const small = await callEnvelope(client, "process_files", {
        file_paths: ["README.md"],
        operation: "analyze",
      });
      assert.equal(small.result.isError, false, JSON.stringify(small.envelope.error));
      const paths = Array.from({ length: 40 }, () => "README.md");
      const big = await callEnvelope(client, "process_files", { file_paths: paths, operation: "summarize" });
      assert.equal(big.envelope.error?.type, "validation_error");
      assert.match(big.envelope.error?.message, /over the limit of 4096 bytes \(MAX_RESULT_BYTES\)/);
      assert.ok(JSON.stringify(big.envelope).length < 4096, "the refusal itself is small");
    } finally {
      await client.close();
      await server.close();
    }
  });
});
