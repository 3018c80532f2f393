import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { deflateSync, gzipSync } from "node:zlib";
import { deadlineSignal } from "../helpers/deadline.js";
import { McpHttpSession, readAnswer, type HttpAnswer } from "../helpers/mcp-http-session.js";
import { envelope, modernHeaders, modernRequest } from "../helpers/modern-requests.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";

/**
 * Mistakes in what a client sends are answered as the client's: a body that does not decompress
 * is a parse error, malformed tools/call params are -32602 with one line of reason, and settings
 * nested past the limit are a validation_error naming it. Never a 500, an internal_error, a schema
 * dump or an error-level log line. Both eras: a 2025 session and 2026 stateless requests.
 */

/** Settings nested `depth` levels deep. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let level = 1; level < depth; level++) value = { a: value };
  return value;
}

const MALFORMED_PARAMS: readonly [string, Record<string, unknown>][] = [
  ["name is an object", { name: {}, arguments: {} }],
  ["name is an array", { name: ["get_user"] }],
  ["name is a number", { name: 7 }],
  ["name is missing", { arguments: { user_id: "1" } }],
  ["arguments is a string", { name: "get_user", arguments: "user_id=1" }],
  ["arguments is an array", { name: "get_user", arguments: ["1"] }],
];

function assertOneLineInvalidParams(answer: HttpAnswer, what: string): void {
  const error = answer.messages[0]?.error;
  assert.equal(error?.code, -32602, `${what}: -32602, got ${answer.text}`);
  assert.match(error.message, /^Invalid params: /, what);
  assert.ok(!error.message.includes("\n"), `${what}: one line, no schema dump: ${error.message}`);
  assert.ok(error.message.length < 200, `${what}: short: ${error.message}`);
  assert.doesNotMatch(answer.text, /"code":\s*"invalid_type"|"expected"/, `${what}: no zod issue list`);
}

function errorLines(server: RunningServer): string[] {
  return server.logs.lines
    .filter((line) => Number(line.level) >= 50 || line.level === "error")
    .map((line) => String(line.msg));
}

describe("client faults are client errors", () => {
  let server: RunningServer;
  let session: McpHttpSession;

  before(async () => {
    server = await startServer();
    session = await McpHttpSession.open(server.mcpUrl);
  });
  after(async () => {
    await server.close();
  });

  async function postBytes(body: Buffer, encoding: string, headers = session.headers): Promise<HttpAnswer> {
    const res = await fetch(server.mcpUrl, {
      method: "POST",
      headers: { ...headers, "Content-Encoding": encoding },
      body,
      signal: deadlineSignal(`answer to a ${encoding} body`),
    });
    return readAnswer(res);
  }

  for (const [encoding, body] of [
    ["gzip", Buffer.from("this is not gzip at all")],
    ["gzip", gzipSync('{"jsonrpc":"2.0","id":1,"method":"ping"}').subarray(0, 20)],
    ["deflate", Buffer.from([0x78, 0x9c, 0xff, 0xff, 0x00, 0x01])],
    ["br", Buffer.from("not brotli either, just text")],
  ] as const) {
    it(`a garbage ${encoding} body (${body.length} bytes) is 400 with -32700, in both eras`, async () => {
      const stateless = modernHeaders("ping", undefined);
      for (const [era, headers] of [
        ["2025", session.headers],
        ["2026", stateless],
      ] as const) {
        const answer = await postBytes(body, encoding, headers);
        assert.equal(answer.status, 400, `${era}: ${answer.text}`);
        assert.equal(answer.messages[0]?.error?.code, -32700, `${era}: ${answer.text}`);
        assert.doesNotMatch(answer.text, /zlib|incorrect header|at \w+ \(/, "no internals in the answer");
      }
      assert.deepEqual(errorLines(server), [], "no error-level log line (no stack) for a client's bad body");
    });
  }

  it("a well-formed gzip body still works", async () => {
    const answer = await postBytes(gzipSync('{"jsonrpc":"2.0","id":5,"method":"ping"}'), "gzip");
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(answer.messages[0]?.result, {});
    const deflated = await postBytes(deflateSync('{"jsonrpc":"2.0","id":6,"method":"ping"}'), "deflate");
    assert.equal(deflated.status, 200, deflated.text);
  });

  for (const [what, params] of MALFORMED_PARAMS) {
    it(`tools/call with ${what} is -32602 with a one-line reason, in both eras`, async () => {
      const old = await readAnswer(
        await session.post({ jsonrpc: "2.0", id: 11, method: "tools/call", params }),
      );
      assert.equal(old.status, 200, old.text);
      assertOneLineInvalidParams(old, `2025 ${what}`);
      const modern = await modernRequest(server.mcpUrl, "tools/call", { ...params, _meta: envelope() });
      assert.equal(modern.status, 200, modern.text);
      assertOneLineInvalidParams(modern, `2026 ${what}`);
      assert.deepEqual(errorLines(server), []);
    });
  }

  for (const params of [undefined, { level: "loud" }, { level: 3 }]) {
    it(`logging/setLevel with params ${JSON.stringify(params)} is -32602 with a one-line reason`, async () => {
      const answer = await readAnswer(
        await session.post({
          jsonrpc: "2.0",
          id: 15,
          method: "logging/setLevel",
          ...(params === undefined ? {} : { params }),
        }),
      );
      assert.equal(answer.status, 200, answer.text);
      assertOneLineInvalidParams(answer, `logging/setLevel ${JSON.stringify(params)}`);
    });
  }

  it("the reason names the field and what was sent", async () => {
    const answer = await readAnswer(
      await session.post({ jsonrpc: "2.0", id: 12, method: "tools/call", params: { name: {} } }),
    );
    assert.equal(
      answer.messages[0].error.message,
      "Invalid params: params.name must be the tool's name as a string, got an object",
    );
  });

  for (const depth of [1_001, 1_500, 2_000, 3_000]) {
    it(`manage_project settings ${depth} levels deep: validation_error naming the limit, in both eras`, async () => {
      const args = { action: "create", project_name: `deep-${depth}`, settings: nested(depth) };
      const old = await readAnswer(
        await session.post({
          jsonrpc: "2.0",
          id: 13,
          method: "tools/call",
          params: { name: "manage_project", arguments: args },
        }),
      );
      const modern = await modernRequest(server.mcpUrl, "tools/call", {
        name: "manage_project",
        arguments: { ...args, project_name: `deep-modern-${depth}` },
        _meta: envelope(),
      });
      for (const [era, answer] of [
        ["2025", old],
        ["2026", modern],
      ] as const) {
        const envelopeSent = answer.messages[0]?.result?.structuredContent;
        assert.equal(envelopeSent?.error?.type, "validation_error", `${era}: ${answer.text.slice(0, 400)}`);
        assert.match(envelopeSent.error.message, /settings nests deeper than the limit of 32 levels/, era);
      }
      assert.deepEqual(errorLines(server), [], "no internal error logged");
    });
  }

  it("settings at the limit are stored", async () => {
    const answer = await readAnswer(
      await session.post({
        jsonrpc: "2.0",
        id: 14,
        method: "tools/call",
        params: {
          name: "manage_project",
          arguments: { action: "create", project_name: "deep-ok", settings: nested(32) },
        },
      }),
    );
    assert.equal(answer.messages[0]?.result?.structuredContent?.success, true, answer.text.slice(0, 400));
  });
});
