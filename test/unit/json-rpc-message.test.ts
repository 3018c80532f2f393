import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { JSONRPCMessageSchema, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import {
  MAX_BATCH_SIZE,
  cancelledRequestId,
  messageKind,
  readPostBody,
  type MessageKind,
} from "../../src/mcp/transport/json-rpc-message.js";

/**
 * The transport's hand-written JSON-RPC check. It claims to accept exactly what the SDK's strict
 * message schemas accept, so every case is also checked against JSONRPCMessageSchema: a message
 * the check lets through but the SDK's Protocol cannot read would never be answered.
 */

const ping = (id: number | string) => ({ jsonrpc: "2.0", id, method: "ping" });

/** [what, value, the kind expected, or undefined for "not a JSON-RPC message"] */
const cases: [string, unknown, MessageKind | undefined][] = [
  ["a request", ping(1), "request"],
  ["a request with a string id", ping("a-1"), "request"],
  ["a request with a negative id", ping(-3), "request"],
  [
    "a request with params",
    { jsonrpc: "2.0", id: 1, method: "tools/list", params: { cursor: "c" } },
    "request",
  ],
  [
    "a request with a progress token",
    { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "t", _meta: { progressToken: "p" } } },
    "request",
  ],
  ["a notification", { jsonrpc: "2.0", method: "notifications/initialized" }, "notification"],
  [
    "a notification with params",
    { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 1 } },
    "notification",
  ],
  ["a result", { jsonrpc: "2.0", id: 1, result: {} }, "response"],
  ["an error", { jsonrpc: "2.0", id: 1, error: { code: -32000, message: "m" } }, "response"],
  ["an error without an id", { jsonrpc: "2.0", error: { code: -32700, message: "m" } }, "response"],
  [
    "an error with data and extra error keys",
    { jsonrpc: "2.0", id: 1, error: { code: 1, message: "m", data: [1], x: 1 } },
    "response",
  ],
  ["a string", "hello", undefined],
  ["a number", 42, undefined],
  ["null", null, undefined],
  ["an array", [ping(1)], undefined],
  ["jsonrpc 1.0", { jsonrpc: "1.0", id: 1, method: "ping" }, undefined],
  ["no jsonrpc", { id: 1, method: "ping" }, undefined],
  ["params as an array", { jsonrpc: "2.0", id: 1, method: "ping", params: [] }, undefined],
  ["params null", { jsonrpc: "2.0", id: 1, method: "ping", params: null }, undefined],
  ["params as a string", { jsonrpc: "2.0", id: 1, method: "ping", params: "x" }, undefined],
  ["notification params as an array", { jsonrpc: "2.0", method: "n", params: [] }, undefined],
  ["an extra key on a request", { jsonrpc: "2.0", id: 1, method: "ping", extra: 1 }, undefined],
  ["an extra key on a notification", { jsonrpc: "2.0", method: "n", extra: 1 }, undefined],
  ["an extra key on a result", { jsonrpc: "2.0", id: 1, result: {}, extra: 1 }, undefined],
  ["a method and a result", { jsonrpc: "2.0", id: 1, method: "ping", result: {} }, undefined],
  ["a __proto__ key", JSON.parse('{"jsonrpc":"2.0","id":1,"method":"ping","__proto__":{}}'), undefined],
  ["a fractional id", { jsonrpc: "2.0", id: 1.5, method: "ping" }, undefined],
  ["an id beyond 2^53", { jsonrpc: "2.0", id: 2 ** 53, method: "ping" }, undefined],
  ["a null id", { jsonrpc: "2.0", id: null, method: "ping" }, undefined],
  ["a boolean id", { jsonrpc: "2.0", id: true, method: "ping" }, undefined],
  ["a numeric method", { jsonrpc: "2.0", id: 1, method: 7 }, undefined],
  ["a result that is an array", { jsonrpc: "2.0", id: 1, result: [] }, undefined],
  ["a result that is null", { jsonrpc: "2.0", id: 1, result: null }, undefined],
  ["a result without an id", { jsonrpc: "2.0", result: {} }, undefined],
  ["an error with a null id", { jsonrpc: "2.0", id: null, error: { code: 1, message: "m" } }, undefined],
  [
    "an error with a fractional code",
    { jsonrpc: "2.0", id: 1, error: { code: 1.5, message: "m" } },
    undefined,
  ],
  ["an error without a message", { jsonrpc: "2.0", id: 1, error: { code: 1 } }, undefined],
  ["an error that is a string", { jsonrpc: "2.0", id: 1, error: "boom" }, undefined],
  ["neither result nor error", { jsonrpc: "2.0", id: 1 }, undefined],
];

describe("messageKind", () => {
  for (const [what, value, expected] of cases) {
    it(`${what} → ${expected ?? "not JSON-RPC"}, as the SDK's schema decides`, () => {
      assert.equal(messageKind(value), expected, "the transport's verdict");
      assert.equal(
        JSONRPCMessageSchema.safeParse(value).success,
        expected !== undefined,
        "the SDK's JSONRPCMessageSchema agrees",
      );
    });
  }

  // The SDK's schemas also check _meta (an object whose progressToken is a string or an integer)
  // and reject a response that carries both result and error; the hand-written check does not.
  const disagreements: [string, unknown][] = [
    ["params._meta that is a number", { jsonrpc: "2.0", id: 1, method: "ping", params: { _meta: 5 } }],
    ["params._meta that is null", { jsonrpc: "2.0", id: 1, method: "ping", params: { _meta: null } }],
    [
      "a boolean progress token",
      { jsonrpc: "2.0", id: 1, method: "ping", params: { _meta: { progressToken: true } } },
    ],
    ["notification params._meta that is a number", { jsonrpc: "2.0", method: "n", params: { _meta: 5 } }],
    ["result._meta that is a number", { jsonrpc: "2.0", id: 1, result: { _meta: 5 } }],
    ["both result and error", { jsonrpc: "2.0", id: 1, result: {}, error: { code: 1, message: "m" } }],
  ];
  for (const [what, value] of disagreements) {
    it(`${what} is not a JSON-RPC message (the SDK's schema rejects it)`, () => {
      assert.equal(JSONRPCMessageSchema.safeParse(value).success, false, "the SDK rejects it");
      assert.equal(messageKind(value), undefined, "the transport's verdict");
    });
  }
});

describe("readPostBody", () => {
  it("one message is read as a single message, not a batch", () => {
    assert.deepEqual(readPostBody(ping(1)), { ok: true, messages: [ping(1)], batch: false });
  });

  it("an array is a batch, in order, even with one message", () => {
    const notification = { jsonrpc: "2.0", method: "notifications/initialized" };
    assert.deepEqual(readPostBody([ping(2), notification, ping(1)]), {
      ok: true,
      messages: [ping(2), notification, ping(1)],
      batch: true,
    });
    assert.deepEqual(readPostBody([ping(1)]), { ok: true, messages: [ping(1)], batch: true });
  });

  it("an empty batch is refused", () => {
    assert.deepEqual(readPostBody([]), { ok: false, reason: "an empty batch" });
  });

  it(`a batch of ${String(MAX_BATCH_SIZE)} is read; one more is refused`, () => {
    assert.equal(MAX_BATCH_SIZE, 100, "the SDK's limit");
    const batch = (size: number) => Array.from({ length: size }, (_, index) => ping(index));
    const full = readPostBody(batch(MAX_BATCH_SIZE));
    assert.equal(full.ok && full.messages.length, MAX_BATCH_SIZE, "every message of a full batch");
    assert.deepEqual(readPostBody(batch(MAX_BATCH_SIZE + 1)), {
      ok: false,
      reason: "a batch of more than 100 messages",
    });
  });

  it("one invalid message refuses the whole batch; a single invalid body is refused", () => {
    const refused = { ok: false, reason: "not a JSON-RPC 2.0 message" };
    assert.deepEqual(readPostBody([ping(1), { jsonrpc: "2.0", id: 2, method: "ping", params: [] }]), refused);
    assert.deepEqual(readPostBody({ hello: "world" }), refused);
    assert.deepEqual(readPostBody("hello"), refused);
    assert.deepEqual(readPostBody(null), refused);
    assert.deepEqual(readPostBody([[ping(1)]]), refused, "a nested batch");
  });
});

describe("cancelledRequestId", () => {
  it("names the request a notifications/cancelled cancels, and nothing else", () => {
    const cancelled = (requestId: unknown) =>
      ({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId } }) as JSONRPCMessage;
    assert.equal(cancelledRequestId(cancelled(7)), 7);
    assert.equal(cancelledRequestId(cancelled("r-1")), "r-1");
    assert.equal(cancelledRequestId(cancelled(1.5)), undefined, "not a request id");
    assert.equal(cancelledRequestId({ jsonrpc: "2.0", method: "notifications/cancelled" }), undefined);
    assert.equal(cancelledRequestId(ping(7) as JSONRPCMessage), undefined, "a request cancels nothing");
  });
});
