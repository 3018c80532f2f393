import type { ToolStep } from "./recovery-steps.js";
import { findSimilar } from "./similar-matches.js";
import { ToolError } from "./tool-error.js";

/** What was looked for, and what exists that it might have meant. */
export interface NotFoundInput {
  /** A word a model understands: "user", "file", "application", "version". */
  readonly resource_type: string;
  readonly identifier: string;
  /** Identifiers that do exist; the closest by edit distance are offered as similar_matches. */
  readonly candidates?: Iterable<string>;
  /** Already ranked matches, best first, used instead of `candidates` (e.g. versions by semver). */
  readonly similar?: readonly string[];
  readonly suggestion?: string;
  readonly recovery_steps?: readonly ToolStep[];
  readonly cause?: unknown;
}

/** A not_found error with "did you mean" suggestions drawn from `candidates`. */
export function notFound(input: NotFoundInput): ToolError {
  const similar = input.similar ?? (input.candidates ? findSimilar(input.identifier, input.candidates) : []);
  const [best] = similar;
  const suggestion =
    input.suggestion ??
    (best === undefined
      ? `No ${input.resource_type} has this identifier: check it against the ones that exist.`
      : `Did you mean: ${best}?`);
  return new ToolError("not_found", `${capitalise(input.resource_type)} '${input.identifier}' not found`, {
    suggestion,
    details: {
      resource_type: input.resource_type,
      identifier: input.identifier,
      ...(similar.length > 0 ? { similar_matches: similar } : {}),
      ...(input.recovery_steps ? { recovery_steps: input.recovery_steps } : {}),
    },
    cause: input.cause,
  });
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
