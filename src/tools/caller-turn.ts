import type { ToolError } from "../errors/tool-error.js";
import { cancelled, deadlineExceeded } from "../errors/transient-errors.js";
import type { CallerSlots } from "../limits/caller-slots.js";

/**
 * Waits, at most the call's time budget, for one of its caller's slots (see CallerSlots). Either
 * the slot's release, or the answer for a call that never got one: cancelled when the client gave
 * up, otherwise the timeout, retryable — the call never ran.
 */
export async function waitForTurn(
  slots: CallerSlots,
  key: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<{ readonly release: () => void } | { readonly refused: ToolError }> {
  const release = await slots.acquire(key, timeoutMs, signal);
  if (release !== undefined) return { release };
  if (signal.aborted) return { refused: cancelled(signal.reason) };
  return {
    refused: deadlineExceeded(timeoutMs, new Error("waited its whole budget for a free slot of its caller")),
  };
}
