import { ERROR_CATALOG, defaultSuggestion, isRetryable } from "./catalog.js";
import { retryGuidance, type BackoffOptions } from "./retry-guidance.js";
import type { ToolError } from "./tool-error.js";

/** What is known about the call when deciding what to tell the model about retrying it. */
export interface RetryContext {
  readonly toolName: string;
  /** The tool takes an `attempt` argument: the advice then names the next one. */
  readonly takesAttempt: boolean;
  /** The attempt that just failed (1 when the call did not say). */
  readonly attempt: number;
  readonly maxAttempts?: number;
  readonly backoff?: BackoffOptions;
}

/**
 * Said when a failure of a type that is usually transient (a conflict, say) cannot clear by
 * waiting: the catalog's default ("wait, then call again") would contradict `should_retry: false`.
 */
export const NOT_TRANSIENT_SUGGESTION =
  "Do not retry: the same call would fail again. Change the request, or follow recovery_steps if there are any.";

/**
 * Adds `retry` guidance and a suggestion that agrees with it. One rule a model can rely on: when
 * `retry.should_retry` is true the suggestion says when to call again; when it is false, the
 * suggestion never says to wait or retry. Errors of types that are never transient keep their
 * suggestion and get no `retry` object (nothing to decide); an error that already carries `retry`
 * is left as its thrower built it.
 */
export function withRetryAdvice(error: ToolError, context: RetryContext): ToolError {
  if (error.details.retry !== undefined) return error;
  if (!error.retryable && ERROR_CATALOG[error.type].retryable === false) return error;
  const guidance = retryGuidance({
    retryable: error.retryable,
    attempt: context.attempt,
    ...(context.maxAttempts === undefined ? {} : { maxAttempts: context.maxAttempts }),
    ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
    ...(context.backoff === undefined ? {} : { backoff: context.backoff }),
  });
  return error.with({ details: { retry: guidance }, suggestion: adviceFor(error, guidance, context) });
}

function adviceFor(
  error: ToolError,
  guidance: ReturnType<typeof retryGuidance>,
  context: RetryContext,
): string {
  const own = error.suggestion;
  if (guidance.should_retry) {
    const attemptHint =
      context.takesAttempt && guidance.next_attempt !== undefined
        ? ` with attempt=${guidance.next_attempt}`
        : "";
    const wait = guidance.retry_after_seconds ?? 0;
    const when = wait === 0 ? "Call" : `Wait ${wait} second${wait === 1 ? "" : "s"}, then call`;
    return `${when} ${context.toolName} again${attemptHint}.${own === undefined ? "" : ` ${own}`}`;
  }
  if (error.retryable) {
    return `Do not retry now: ${guidance.reason ?? "attempts are used up."} Tell the user the operation is unavailable for the moment.`;
  }
  // A refusal that waiting cannot change: its thrower's words, which must not advise retrying, or
  // the catalog's unless the catalog would have called this failure transient.
  if (own !== undefined) return own;
  return isRetryable(error.type, error.details.kind)
    ? NOT_TRANSIENT_SUGGESTION
    : defaultSuggestion(error.type, error.details.kind);
}
