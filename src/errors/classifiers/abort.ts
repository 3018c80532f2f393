import type { ToolError } from "../tool-error.js";
import { cancelled, timedOut } from "../transient-errors.js";
import { errorChain, errorName } from "./error-chain.js";

/**
 * Abort reasons: a TimeoutError (AbortSignal.timeout) is a timeout; an AbortError is a
 * cancellation. The runner decides first whether its own deadline or the client's cancel fired;
 * what reaches here is a timeout the handler set itself without naming a service.
 */
export function classifyAbort(error: unknown): ToolError | undefined {
  for (const link of errorChain(error)) {
    const name = errorName(link);
    if (name === "TimeoutError") return timedOut(undefined, error);
    if (name === "AbortError") return cancelled(error);
  }
  return undefined;
}
