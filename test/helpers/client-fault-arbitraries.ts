import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { deepJson, hostileValue } from "./reliability-arbitraries.js";

/**
 * fast-check generators of client faults the server must answer as the client's: compressed
 * bodies that do not decompress (or decompress into garbage), tools/call params of the wrong
 * shape, free-form settings nested far past their limit, and backtracking bait for any regular
 * expression that might meet client input.
 */

/** A compressed request: its Content-Encoding and bytes. */
export interface CompressedBody {
  readonly encoding: string;
  readonly body: Uint8Array;
}

const COMPRESSORS: Readonly<Record<string, (input: Buffer) => Buffer>> = {
  gzip: gzipSync,
  deflate: deflateSync,
  br: brotliCompressSync,
};

/** Bodies under a Content-Encoding: garbage, truncated, or well compressed but not a message. */
export function compressedBody(validBody: string): fc.Arbitrary<CompressedBody> {
  const encodings = fc.constantFrom("gzip", "deflate", "br");
  const compressed = (encoding: string, text: string) =>
    new Uint8Array((COMPRESSORS[encoding] ?? gzipSync)(Buffer.from(text, "utf8")));
  return fc.oneof(
    fc.record({ encoding: encodings, body: fc.uint8Array({ maxLength: 200 }) }),
    fc
      .tuple(encodings, fc.integer({ min: 1, max: 40 }))
      .map(([encoding, keep]) => ({ encoding, body: compressed(encoding, validBody).subarray(0, keep) })),
    fc
      .tuple(
        encodings,
        fc.oneof(
          fc.string({ maxLength: 60 }),
          hostileValue.map((value) => JSON.stringify(value) ?? ""),
        ),
      )
      .map(([encoding, text]) => ({ encoding, body: compressed(encoding, text) })),
    fc.record({
      encoding: fc.constantFrom("gzip, gzip", "x-unknown", "compress", "identity", "GZIP", ""),
      body: fc.constant(new Uint8Array(Buffer.from(validBody))),
    }),
  );
}

/** Any JSON value that is not a string: what a careless client puts where a tool name goes. */
const notAString: fc.Arbitrary<unknown> = hostileValue.filter((value) => typeof value !== "string");
/** Any JSON value that is not an object of arguments. */
const notAnObject: fc.Arbitrary<unknown> = hostileValue.filter(
  (value) => typeof value !== "object" || value === null || Array.isArray(value),
);

/** tools/call params that are not { name: string, arguments?: object }, as JSON text. */
export const malformedToolCallParams: fc.Arbitrary<string> = fc.oneof(
  notAString.map((name) => JSON.stringify({ name, arguments: {} })),
  notAnObject.map((args) => JSON.stringify({ name: "get_user", arguments: args })),
  fc.constant("{}"),
  fc.constant('{"arguments":{"user_id":"1"}}'),
);

/** manage_project arguments whose settings nest past the limit (33 to 20,000 levels), as JSON text. */
export const deepSettingsArguments: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(33, 100, 999, 1_001, 1_500, 2_000, 3_000, 20_000),
    fc.constantFrom("array" as const, "object" as const),
    fc.constantFrom("create", "update"),
  )
  .map(
    ([depth, kind, action]) =>
      `{"action":"${action}","project_name":"fuzz-deep","settings":{"nested":${deepJson(depth, kind)}}}`,
  );

/** Strings that make backtracking regular expressions take super-linear time. */
export const backtrackingBait: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom("# a", "#", "a", "-", "%", "rmcp_k", "eyJ", "1.", "[", "\\"),
    fc.constantFrom(" ", "\t", "a", "#", "/", "%25", ".", "0"),
    fc.integer({ min: 1_000, max: 5_000 }),
    fc.constantFrom("x", "!", "\u0000", ""),
  )
  .map(([head, unit, count, tail]) => `${head}${unit.repeat(count)}${tail}`);
