import { setTimeout as delay } from "node:timers/promises";
import { classifyError } from "../../errors/classify.js";
import type { UpstreamError } from "../../errors/upstream-error.js";

/**
 * How the one internal retry is spaced. "full": anywhere in [0, base); "equal": [base/2, base);
 * "none": exactly base. Jitter keeps many clients that failed together from retrying together.
 */
export type Jitter = "none" | "full" | "equal";

/** The internal retry of idempotent GETs. */
export interface RetryOptions {
  /** Retries after the first attempt; 1 in production: more belongs to the model, guided by retry_after. */
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly jitter: Jitter;
}

/** Sleeps `ms`, rejecting early if `signal` aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** The real sleep: an abortable timer. */
export const realSleep: Sleep = (ms, signal) => delay(ms, undefined, { signal });

// Gateways and overloaded servers: the request most likely never ran, so a GET can be repeated.
// 500 is left out: it usually means the request itself breaks the service.
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/**
 * Whether one more attempt may succeed: refused/reset connections, timeouts, and 502/503/504. Never
 * 4xx (the same request fails again) and never 429 (the service asked us to slow down, and the
 * model is told how long to wait instead).
 */
export function isTransientFailure(error: UpstreamError): boolean {
  if (error.status !== undefined) return TRANSIENT_STATUSES.has(error.status);
  const classified = classifyError(error);
  if (classified.type !== "external_service_error") return false;
  return classified.details.kind === "connection_failed" || classified.details.kind === "timeout";
}

/** The wait before retrying: the service's Retry-After when it gave one, else the jittered base delay. */
export function retryDelayMs(error: UpstreamError, options: RetryOptions, random: () => number): number {
  if (error.retryAfterSeconds !== undefined) return error.retryAfterSeconds * 1000;
  const base = options.baseDelayMs;
  switch (options.jitter) {
    case "none":
      return base;
    case "full":
      return Math.floor(random() * base);
    case "equal":
      return Math.floor(base / 2 + (random() * base) / 2);
  }
}
