import { tmpdir } from "node:os";
import fc from "fast-check";
import { REPO_ROOT } from "./reliability-http.js";

/**
 * fast-check generators of hostile input for the fuzz test: strings that try to leave a
 * sandbox, JSON values with prototype keys, deep nesting and huge sizes, malformed bodies and
 * invalid UTF-8, and header sets no well-behaved client sends.
 */

/** Paths and endpoints that try to leave the workspace or the API's base URL. */
export const PATH_TRICKS = [
  "../",
  "..",
  "../../etc/passwd",
  "../package.json",
  "data/../../package.json",
  "..%2f..%2fetc%2fpasswd",
  "%2e%2e/%2e%2e/etc/passwd",
  "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
  "%252e%252e/etc/passwd",
  "....//....//etc/passwd",
  "..\\..\\etc\\passwd",
  "..\u2215..\u2215etc\u2215passwd",
  "\uff0e\uff0e/\uff0e\uff0e/etc/passwd",
  "/etc/passwd",
  "/proc/self/environ",
  "/proc/self/cmdline",
  "C:\\Windows\\win.ini",
  "\\\\server\\share\\x",
  "README.md\u0000.png",
  "\u0000",
  "data/\u0000/../..",
  "~/.ssh/id_rsa",
  "file:///etc/passwd",
  "http://169.254.169.254/latest/meta-data/",
  "//evil.example/x",
  "https://evil.example/",
  "users/1/../../../admin",
  "users/%2e%2e/%2e%2e/admin",
  "users/1?redirect=http://evil.example",
  "users/1#../../admin",
  "@evil.example/x",
  "data",
  "data/",
  "./data/./../data",
  "*",
  "**/*",
  "[",
  "CON",
  "nul",
  ".git/config",
  "workspace/../../etc/hosts",
  `${REPO_ROOT}/package.json`,
  `${REPO_ROOT}/workspace/README.md`,
  tmpdir(),
  "README.md",
  "data/sales-2024.csv",
];

const PROTO_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "__defineGetter__",
];

/** Strings a model or an attacker might send. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
  { weight: 5, arbitrary: fc.constantFrom(...PATH_TRICKS) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...PATH_TRICKS), fc.string({ maxLength: 10 }), fc.constantFrom(...PATH_TRICKS))
      .map(([a, b, c]) => `${a}${b}${c}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom("", " ", "\t\n", "1", "0", "-1", "1e309", "NaN", "null", "true", "[]", "{}"),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 200_000 }).map((n) => "A".repeat(n)) },
);

function ownKeysObject(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  // defineProperty keeps "__proto__" an own key, so JSON.stringify sends it as text.
  for (const [key, value] of entries) {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return object;
}

/** Any JSON value, with hostile strings, odd numbers and prototype keys. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.constantFrom(0, -0, -1, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, 1e308, -1e308, 0.5, 1e-300),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 5 }),
    fc
      .array(fc.tuple(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom(...PROTO_KEYS)), tie("value")), {
        maxLength: 5,
      })
      .map(ownKeysObject),
  ),
})).value;

/** Nested arrays or objects `depth` deep, as JSON text (too deep for naive recursion). */
export function deepJson(depth: number, kind: "array" | "object"): string {
  return kind === "array"
    ? `${"[".repeat(depth)}${"]".repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** Raw JSON text fragments that a generic value generator would not produce. */
export const rawFragment: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(10, 100, 1_000, 5_000, 20_000, 100_000),
      fc.constantFrom("array" as const, "object" as const),
    )
    .map(([depth, kind]) => deepJson(depth, kind)),
  fc.constantFrom(
    '{"__proto__":{"polluted":"yes"}}',
    '{"constructor":{"prototype":{"polluted":"yes"}}}',
    '{"__proto__":{"__proto__":{"polluted":"yes"}}}',
    '{"a":1,"a":2,"__proto__":[]}',
    '"\\ud800"',
    '"\\u0000"',
    "1e999",
    "-0",
    "123456789012345678901234567890",
  ),
);

/** Arguments for `properties` (a tool's input properties), as JSON text. */
export function toolArgumentsText(properties: readonly string[]): fc.Arbitrary<string> {
  const known = properties.length > 0 ? fc.constantFrom(...properties) : fc.constant("x");
  const fieldValue = fc.oneof(
    { weight: 5, arbitrary: hostileValue.map((value) => JSON.stringify(value) ?? "null") },
    {
      weight: 2,
      arbitrary: fc
        .array(fc.constantFrom(...PATH_TRICKS), { minLength: 1, maxLength: 8 })
        .map((v) => JSON.stringify(v)),
    },
    { weight: 1, arbitrary: rawFragment },
  );
  const field = fc.tuple(
    fc.oneof(
      { weight: 4, arbitrary: known },
      { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS) },
      { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
    ),
    fieldValue,
  );
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .array(field, { maxLength: 5 })
        .map((fields) => `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`),
    },
    { weight: 1, arbitrary: rawFragment },
    { weight: 1, arbitrary: hostileValue.map((value) => JSON.stringify(value) ?? "null") },
  );
}

/** Bytes that are not valid UTF-8 (lone continuation, overlong, surrogate, truncated sequences). */
export const INVALID_UTF8: readonly (readonly number[])[] = [
  [0xff],
  [0xfe, 0xff],
  [0xc3, 0x28],
  [0xa0, 0xa1],
  [0xe2, 0x28, 0xa1],
  [0xf0, 0x28, 0x8c, 0x28],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
];

/** Whole request bodies: malformed, truncated, binary, with invalid UTF-8, or oversized. */
export function hostileBody(validBody: string): fc.Arbitrary<Uint8Array> {
  const text = (value: string) => new Uint8Array(Buffer.from(value, "utf8"));
  return fc.oneof(
    { weight: 3, arbitrary: fc.uint8Array({ maxLength: 200 }) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.nat({ max: validBody.length }), fc.constantFrom(...INVALID_UTF8))
        .map(([at, bytes]) =>
          Buffer.concat([
            Buffer.from(validBody.slice(0, at)),
            Buffer.from(bytes),
            Buffer.from(validBody.slice(at)),
          ]),
        )
        .map((buffer) => new Uint8Array(buffer)),
    },
    { weight: 3, arbitrary: fc.nat({ max: validBody.length - 1 }).map((at) => text(validBody.slice(0, at))) },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 100 }).map(text) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(
          "",
          "null",
          "1",
          '"x"',
          "[]",
          "{}",
          "[[[[",
          "\ufeff" + validBody,
          validBody + validBody,
          validBody.replace(/"/g, "'"),
          `[${validBody},${validBody}]`,
          `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":${deepJson(50_000, "array")}}`,
          `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":${deepJson(50_000, "object")}}`,
        )
        .map(text),
    },
    {
      weight: 1,
      arbitrary: fc.constant(
        text(`{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"${"x".repeat(1_100_000)}"}}`),
      ),
    },
  );
}

/** One set of request headers (values as node:http accepts them) and the method and path. */
export interface HeaderCase {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly omitHost: boolean;
}

const visibleAscii = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 60,
});

function optional(value: fc.Arbitrary<string>): fc.Arbitrary<string | undefined> {
  return fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: value });
}

/** Hostile header sets around a valid session id and host. */
export function hostileHeaders(sessionId: string, host: string): fc.Arbitrary<HeaderCase> {
  return fc
    .record({
      method: fc.constantFrom(
        "POST",
        "POST",
        "POST",
        "POST",
        "GET",
        "DELETE",
        "PUT",
        "PATCH",
        "OPTIONS",
        "HEAD",
      ),
      path: fc.constantFrom(
        "/mcp",
        "/mcp",
        "/mcp",
        "/mcp/",
        "/MCP",
        "/mcp?x=1",
        "//mcp",
        "/mcp/../mcp",
        "/%6dcp",
        "/mcp%00",
      ),
      contentType: optional(
        fc.oneof(
          fc.constantFrom(
            "application/json",
            "application/json; charset=utf-8",
            "application/json; charset=utf-16",
            "application/json; charset=latin1",
            "application/json; charset=nonsense",
            "application/vnd.api+json",
            "application/json-patch+json",
            "text/plain",
            "text/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=xyz",
            "",
            "*/*",
          ),
          visibleAscii,
        ),
      ),
      accept: optional(
        fc.oneof(
          fc.constantFrom(
            "application/json, text/event-stream",
            "application/json",
            "text/event-stream",
            "*/*",
            "text/html",
            "",
            "application/json;q=0, text/event-stream;q=0",
          ),
          visibleAscii,
        ),
      ),
      sessionId: optional(
        fc.oneof(
          { weight: 3, arbitrary: fc.constant(sessionId) },
          { weight: 1, arbitrary: fc.uuid() },
          { weight: 1, arbitrary: visibleAscii },
          { weight: 1, arbitrary: fc.constant("x".repeat(8_000)) },
          {
            weight: 1,
            arbitrary: fc.constantFrom("", " ", "null", "../../etc/passwd", `${sessionId},${sessionId}`),
          },
        ),
      ),
      protocolVersion: optional(
        fc.oneof(
          fc.constantFrom("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05", "1999-01-01", "", "latest"),
          visibleAscii,
        ),
      ),
      origin: optional(
        fc.oneof(
          fc.constantFrom(
            "http://localhost:6274",
            "http://127.0.0.1",
            "https://evil.example",
            "null",
            "file://",
            "http://localhost.evil.example",
            "http://127.0.0.1.nip.io",
            "http://[::1]:80",
          ),
          visibleAscii,
        ),
      ),
      host: fc.oneof(
        { weight: 4, arbitrary: fc.constant(host) },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            "evil.example",
            "localhost",
            "127.0.0.1:1",
            "[::1]",
            "",
            "localhost.evil.example",
            "127.0.0.1:99999",
            "::1",
          ),
        },
        { weight: 1, arbitrary: visibleAscii },
        { weight: 1, arbitrary: fc.constant("<omit>") },
      ),
      requestId: optional(
        fc.oneof(
          visibleAscii,
          fc.constant("r".repeat(5_000)),
          fc.constantFrom("a b", '"quoted"', "../x", "%0d%0aInjected: 1"),
        ),
      ),
    })
    .map((c) => {
      const headers: Record<string, string> = {};
      if (c.contentType !== undefined) headers["content-type"] = c.contentType;
      if (c.accept !== undefined) headers.accept = c.accept;
      // Ending the shared session would end the fuzz: DELETE only ever names another one.
      if (c.sessionId !== undefined)
        headers["mcp-session-id"] =
          c.method === "DELETE" && c.sessionId === sessionId ? "not-this-one" : c.sessionId;
      if (c.protocolVersion !== undefined) headers["mcp-protocol-version"] = c.protocolVersion;
      if (c.origin !== undefined) headers.origin = c.origin;
      if (c.host !== "<omit>") headers.host = c.host;
      if (c.requestId !== undefined) headers["x-request-id"] = c.requestId;
      return { method: c.method, path: c.path, headers, omitHost: c.host === "<omit>" };
    });
}

const KNOWN_METHODS = [
  "initialize",
  "ping",
  "tools/list",
  "tools/call",
  "resources/list",
  "resources/read",
  "prompts/list",
  "prompts/get",
  "completion/complete",
  "logging/setLevel",
  "notifications/initialized",
  "notifications/cancelled",
  "notifications/progress",
  "notifications/roots/list_changed",
];

/** JSON-RPC messages with every field wrong in some way, single or batched, as JSON text. */
export const hostileMessage: fc.Arbitrary<string> = (() => {
  const id = fc.oneof(
    fc.integer(),
    fc.string({ maxLength: 20 }),
    fc.constantFrom(null, 1.5, -1, 2 ** 60, true, [], {}, [1], { id: 1 }),
  );
  const message = fc
    .record(
      {
        jsonrpc: fc.oneof(fc.constant("2.0"), fc.constant("2.0"), fc.constantFrom("1.0", "2", 2, null, "")),
        id,
        method: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...KNOWN_METHODS) },
          { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
          {
            weight: 1,
            arbitrary: fc.constantFrom(1, null, [], {}, "rpc.discover", "__proto__", "constructor"),
          },
        ),
        params: hostileValue,
        result: hostileValue,
        error: hostileValue,
      },
      { requiredKeys: [] },
    )
    .map((fields) => ownKeysObject(Object.entries(fields)));
  return fc.oneof(
    { weight: 6, arbitrary: message.map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.array(message, { maxLength: 4 }).map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: hostileValue.map((value) => JSON.stringify(value) ?? "null") },
  );
})();
