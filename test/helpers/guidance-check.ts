import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/*
 * What a model is told must never contradict itself. The rules, checked on any tool result:
 * - a suggestion never says to wait or retry unless retry.should_retry is true, and never says
 *   not to retry when it is true (the same for batch items and their `recoverable` flag);
 * - a not_found carries similar_matches, or a recovery step calling a listing tool;
 * - a step names a served tool (that its parameters validate, the strict test server checks:
 *   it fails the call instead of sending such a step);
 * - an all-or-nothing tool's failure says how much it wrote (`written`);
 * - the toolFailure block in _meta says what the envelope says.
 */

/** Phrases that tell the model not to retry; removed before looking for retry advice. */
const NEGATED_RETRY = [
  /\b(do not|don't|never|no need to|without)\s+(retry|retrying|wait|waiting|try again)\b[^.]*\.?/gi,
  /\bretrying\b[^.]*?\b(will not|won't|cannot|can't|is unlikely to|does not|doesn't)\b[^.]*\.?/gi,
  /\bnot (retryable|transient)\b/gi,
];
const RETRY_ADVICE = /\b(wait|retry|try again)\b/i;
const NO_RETRY_ADVICE =
  /\b(do not|don't|never) (retry|try again)\b|\bretrying (will not|won't|cannot|is unlikely to) help\b|\bnot retryable\b/i;

/** True if the text tells the model to wait or to retry (negated phrases do not count). */
export function advisesRetry(text: string): boolean {
  return RETRY_ADVICE.test(NEGATED_RETRY.reduce((rest, phrase) => rest.replace(phrase, " "), text));
}

/** True if the text tells the model not to retry. */
export function advisesNoRetry(text: string): boolean {
  return NO_RETRY_ADVICE.test(text);
}

/** What the rules need to know about the server. */
export interface GuidanceContext {
  /** Every served tool, by name. */
  readonly tools: ReadonlySet<string>;
  /** Tools that write all or nothing. */
  readonly allOrNothing: ReadonlySet<string>;
  /** Resource types that cannot be listed (the suggestion must say how to refine instead). */
  readonly unlistable: ReadonlySet<string>;
}

type Json = Record<string, unknown>;

/** Every broken rule in one result of `tool`, as readable sentences; empty when all hold. */
export function guidanceProblems(tool: string, result: CallToolResult, context: GuidanceContext): string[] {
  const envelope = result.structuredContent;
  if (envelope === undefined) return [`${tool}: no structuredContent`];
  const problems = [
    ...stepProblems(tool, [...list(envelope.next_steps)], context),
    ...batchProblems(tool, envelope),
  ];
  if (envelope.success !== false || typeof envelope.error !== "object" || envelope.error === null) {
    return problems;
  }
  const error = envelope.error as Json;
  return [
    ...problems,
    ...retryProblems(tool, error),
    ...notFoundProblems(tool, error, context),
    ...stepProblems(tool, [...list(error.recovery_steps)], context),
    ...(context.allOrNothing.has(tool) && typeof error.written !== "number"
      ? [`${tool}: an all-or-nothing failure does not say what was written`]
      : []),
    ...failureBlockProblems(tool, result, error),
  ];
}

function retryProblems(tool: string, error: Json): string[] {
  const suggestion = String(error.suggestion);
  const shouldRetry = (error.retry as Json | undefined)?.should_retry === true;
  if (!shouldRetry && advisesRetry(suggestion)) {
    return [`${tool}: ${String(error.type)} advises retrying without should_retry: "${suggestion}"`];
  }
  if (shouldRetry && advisesNoRetry(suggestion)) {
    return [`${tool}: ${String(error.type)} says not to retry with should_retry true: "${suggestion}"`];
  }
  return [];
}

function notFoundProblems(tool: string, error: Json, context: GuidanceContext): string[] {
  if (error.type !== "not_found" || context.unlistable.has(String(error.resource_type))) return [];
  const similar = list(error.similar_matches);
  const listing = list(error.recovery_steps).some((step) =>
    callsOf(step as Json).some(({ tool: target }) => isListingTool(target)),
  );
  return similar.length > 0 || listing
    ? []
    : [`${tool}: not_found for ${String(error.resource_type)} with no similar_matches and no listing step`];
}

function stepProblems(tool: string, steps: readonly unknown[], context: GuidanceContext): string[] {
  return steps.flatMap((step) =>
    callsOf(step as Json)
      .filter(({ tool: target }) => !context.tools.has(target))
      .map(({ tool: target }) => `${tool}: a step names "${target}", which is not served`),
  );
}

function batchProblems(tool: string, envelope: Json): string[] {
  return list(envelope.errors).flatMap((entry) => {
    const item = entry as Json;
    const suggestion = String(item.suggestion);
    if (item.recoverable !== true && advisesRetry(suggestion)) {
      return [`${tool}: an unrecoverable batch item advises retrying: "${suggestion}"`];
    }
    if (item.recoverable === true && advisesNoRetry(suggestion)) {
      return [`${tool}: a recoverable batch item says not to retry: "${suggestion}"`];
    }
    return [];
  });
}

function failureBlockProblems(tool: string, result: CallToolResult, error: Json): string[] {
  const block = result._meta?.["io.modelcontextprotocol/toolFailure"] as Json | undefined;
  if (block === undefined) return [`${tool}: a failed result without the toolFailure block`];
  const expected = {
    code: error.type,
    retryable: (error.retry as Json | undefined)?.should_retry === true,
    correlationId: error.reference_id,
    agentGuidance: error.suggestion,
  };
  return Object.entries(expected)
    .filter(([key, value]) => block[key] !== value)
    .map(([key]) => `${tool}: toolFailure.${key} disagrees with the envelope`);
}

/** The tool calls a step makes: its own, or each of its options. */
function callsOf(step: Json): { tool: string }[] {
  if (Array.isArray(step.options))
    return (step.options as Json[]).map((option) => ({ tool: String(option.tool) }));
  return typeof step.tool === "string" ? [{ tool: step.tool }] : [];
}

/** Tools that show what exists: list_* and search_files. */
function isListingTool(name: string): boolean {
  return name.startsWith("list_") || name === "search_files";
}

function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}
