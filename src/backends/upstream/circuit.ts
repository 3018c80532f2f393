import {
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  isBrokenCircuitError,
  isIsolatedCircuitError,
  type IBackoff,
  type IBackoffFactory,
} from "cockatiel";

/** Circuit states as metrics and logs name them. */
export const CIRCUIT_STATES = ["closed", "open", "half_open"] as const;

/** A circuit state: a closed set, safe as a metric label. */
export type CircuitStateName = (typeof CIRCUIT_STATES)[number];

/** How a failed call bears on the health of the service. */
export type FailureVerdict =
  /** The service is unwell (5xx, timeout, refused): counts towards opening. */
  | "failure"
  /** Says nothing either way (the caller cancelled): ignored, but a probe it cut short does not close. */
  | "inconclusive"
  /** The service answered (4xx, 429, an unreadable body): it is up, so this is no failure. */
  | "healthy";

/** When the circuit opens and for how long. */
export interface CircuitOptions {
  /** Consecutive failures that open the circuit. */
  readonly consecutiveFailures: number;
  /** How long it stays open before one probe call is let through. */
  readonly halfOpenAfterMs: number;
  readonly judge: (error: unknown) => FailureVerdict;
  /** Milliseconds clock; decides when the circuit half-opens. */
  readonly now: () => number;
}

/** A cockatiel circuit breaker with a readable state and the wait until it half-opens. */
export interface Circuit {
  /** Runs `call`, or throws `CircuitOpenError` at once while the circuit is open. */
  execute<T>(call: () => Promise<T>): Promise<T>;
  /** "half_open" also when the wait is over and the next call will be the probe. */
  state(): CircuitStateName;
  /** Milliseconds until a probe is allowed; 0 when not open. */
  msUntilHalfOpen(): number;
}

/** Thrown by `Circuit.execute` while the circuit is open. */
export class CircuitOpenError extends Error {
  override readonly name = "CircuitOpenError";
  readonly retryAfterMs: number;

  constructor(retryAfterMs: number) {
    super(`Circuit open; next probe allowed in ${retryAfterMs} ms`);
    this.retryAfterMs = retryAfterMs;
  }
}

/** Builds one circuit; give each upstream service its own. */
export function createCircuit(options: CircuitOptions): Circuit {
  const { now, halfOpenAfterMs, judge } = options;
  let openedAt = 0;
  const remainingMs = (): number => Math.max(0, halfOpenAfterMs - (now() - openedAt));

  // cockatiel decides "still open?" as `Date.now() - openedAt < backoff.duration`, with its own
  // Date.now(). This backoff expresses the injected clock's remaining wait in cockatiel's frame,
  // so the clock passed in (a test's fake, or the real one) alone decides when a probe may run,
  // and the retry_after we report always agrees with what the breaker does.
  const halfOpenAfter: IBackoffFactory<unknown> = {
    next(): IBackoff<unknown> {
      openedAt = now();
      const wallAtOpen = Date.now();
      return {
        get duration() {
          // Zero once the wait is over, whatever millisecond cockatiel stamped as its openedAt.
          const remaining = remainingMs();
          return remaining > 0 ? Date.now() - wallAtOpen + remaining : 0;
        },
        next: (context) => halfOpenAfter.next(context),
      };
    },
  };

  const policy = circuitBreaker(
    // A cancelled probe proves nothing; counting it as a failure keeps the circuit open rather
    // than letting cockatiel treat the unhandled error as a success and close it.
    handleWhen((error) => {
      const verdict = judge(error);
      return verdict === "failure" || (verdict === "inconclusive" && policy.state === CircuitState.HalfOpen);
    }),
    { halfOpenAfter, breaker: new ConsecutiveBreaker(options.consecutiveFailures) },
  );

  return {
    async execute<T>(call: () => Promise<T>): Promise<T> {
      try {
        return await policy.execute(call);
      } catch (error) {
        if (isBrokenCircuitError(error) || isIsolatedCircuitError(error)) {
          throw new CircuitOpenError(Math.max(1, remainingMs()));
        }
        throw error;
      }
    },
    state(): CircuitStateName {
      switch (policy.state) {
        case CircuitState.Closed:
          return "closed";
        case CircuitState.HalfOpen:
          return "half_open";
        case CircuitState.Open:
          return remainingMs() > 0 ? "open" : "half_open";
        case CircuitState.Isolated:
          return "open";
      }
    },
    msUntilHalfOpen(): number {
      return policy.state === CircuitState.Open ? remainingMs() : 0;
    },
  };
}
