import assert from "node:assert/strict";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { ErrorBody, Envelope, SuccessEnvelope } from "../../src/errors/envelope.js";
import { deadlineSignal } from "./deadline.js";

/** One tool call as a model sees it: the envelope, and whether the result was flagged isError. */
export interface EnvelopeCall {
  readonly envelope: Envelope;
  readonly isError: boolean;
}

/**
 * Calls a tool with the SDK client (which validates structuredContent against the tool's
 * outputSchema) and returns the envelope from structuredContent, after checking that the text
 * content carries exactly the same JSON for clients that drop structuredContent.
 */
export async function callForEnvelope(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<EnvelopeCall> {
  const result = await client.callTool({ name, arguments: args });
  assert.ok(result.structuredContent, `${name} returned no structuredContent`);
  const content = result.content as readonly { type: string; text?: string }[];
  assert.equal(content.length, 1);
  const [text] = content;
  assert.equal(text?.type, "text");
  assert.deepEqual(JSON.parse(text.text ?? ""), result.structuredContent);
  return { envelope: result.structuredContent as unknown as Envelope, isError: result.isError === true };
}

/**
 * The error body of a failed call, or of a failure envelope read some other way (a runner's
 * outcome, a raw HTTP answer); fails the test if it was a success or not an envelope at all.
 */
export function errorOf(failed: EnvelopeCall | object): ErrorBody {
  if (isEnvelopeCall(failed)) {
    assert.equal(failed.isError, true, `expected an error, got ${JSON.stringify(failed.envelope)}`);
    return errorOf(failed.envelope);
  }
  const envelope = failed as Partial<Envelope>;
  assert.equal(envelope.success, false, `expected an error envelope, got ${JSON.stringify(failed)}`);
  assert.ok("error" in envelope && typeof envelope.error === "object", "a failure envelope has an error");
  return envelope.error;
}

function isEnvelopeCall(value: object): value is EnvelopeCall {
  return "envelope" in value && "isError" in value;
}

/** The success envelope of a call; fails the test if the call failed. */
export function successOf(call: EnvelopeCall): SuccessEnvelope {
  assert.equal(call.isError, false, `expected a success, got ${JSON.stringify(call.envelope)}`);
  assert.ok("data" in call.envelope && call.envelope.success);
  return call.envelope;
}

/**
 * The value of one counter series scraped from `GET /metrics` (0 when the series is absent).
 * Labels are matched as a set, so their order in the exposition does not matter.
 */
export async function counterValue(
  baseUrl: URL,
  name: string,
  labels: Readonly<Record<string, string>>,
): Promise<number> {
  const response = await fetch(new URL("/metrics", baseUrl), { signal: deadlineSignal("GET /metrics") });
  assert.equal(response.status, 200);
  const text = await response.text();
  const wanted = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const seen = [...(match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, key = "", value = ""]) => [key, value] as const)
      .sort(([a], [b]) => a.localeCompare(b));
    if (JSON.stringify(seen) === JSON.stringify(wanted)) return Number(match[3]);
  }
  return 0;
}
