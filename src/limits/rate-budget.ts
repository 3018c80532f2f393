import {
  RateLimiterMemory,
  RateLimiterRes,
  type IRateLimiterOptions,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";

/** Whether a caller may spend more now, and if not, when it may try again. */
export type RateDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/** A budget of points per window, per caller key; the store behind it is the backend's. */
export interface RateBudget {
  /** Spends `points` of `key`'s budget in the current window, or says when it refills. */
  take(key: string, points: number): Promise<RateDecision>;
}

/**
 * Builds the limiter that counts: in memory for one process, or rate-limiter-flexible's Redis (or
 * any other) store so that replicas share one count.
 */
export type RateLimiterBackend = (options: IRateLimiterOptions) => RateLimiterAbstract;

/** Counts in this process's memory: right for a single replica. */
export const memoryRateLimiterBackend: RateLimiterBackend = (options) => new RateLimiterMemory(options);

export interface RateBudgetOptions {
  /** Separates the counts of several budgets in one store (e.g. "http", "tool"). */
  readonly name: string;
  /** Points per window; 0 turns the budget off. */
  readonly points: number;
  readonly windowMs: number;
  /**
   * The store failed (e.g. Redis unreachable): the request is let through, since refusing every
   * caller would turn a limiter outage into a full outage.
   */
  readonly onStoreError?: (error: unknown) => void;
}

const ALWAYS: RateDecision = Object.freeze({ allowed: true });

/**
 * A per-key budget over `backend`. A single spend larger than the whole budget is charged as the
 * whole budget, so one big (but valid) call waits for a fresh window instead of never fitting.
 */
export function createRateBudget(backend: RateLimiterBackend, options: RateBudgetOptions): RateBudget {
  if (options.points === 0) return { take: () => Promise.resolve(ALWAYS) };
  const limiter = backend({
    keyPrefix: `rate-${options.name}`,
    points: options.points,
    duration: options.windowMs / 1000,
  });
  return {
    async take(key, points) {
      const spend = Math.min(Math.max(1, points), options.points);
      try {
        await limiter.consume(key, spend);
        return ALWAYS;
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          // A refused spend costs nothing: a smaller call may still fit in what is left.
          await limiter.reward(key, spend).catch(options.onStoreError);
          return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
        }
        options.onStoreError?.(rejection);
        return ALWAYS;
      }
    },
  };
}
