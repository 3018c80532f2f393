import { classifyError } from "../../errors/classify.js";
import { UpstreamError, asUpstreamError } from "../../errors/upstream-error.js";
import { CircuitOpenError, createCircuit, type CircuitStateName, type FailureVerdict } from "./circuit.js";
import { outcomeOf, type UpstreamRequestEvent } from "./outcomes.js";
import {
  isTransientFailure,
  realSleep,
  retryDelayMs,
  type RetryOptions,
  type Sleep,
} from "./retry-policy.js";
import { sendGet, type UpstreamResponse } from "./send-request.js";
import { normaliseBaseUrl, resolveUpstreamUrl, type QueryParams } from "./upstream-url.js";

export type { UpstreamResponse } from "./send-request.js";
export type { QueryParams } from "./upstream-url.js";
// Re-exported so the composition root can declare metric label values up front from one import.
export { UPSTREAM_OUTCOMES, type UpstreamOutcome, type UpstreamRequestEvent } from "./outcomes.js";
export { CIRCUIT_STATES, type CircuitStateName } from "./circuit.js";

/** When the circuit opens and how long it stays open. */
export interface BreakerOptions {
  readonly consecutiveFailures: number;
  readonly halfOpenAfterMs: number;
}

/** Everything one upstream client needs; validated once by `createUpstreamClient`. */
export interface UpstreamClientOptions {
  /** A short, stable name the model may see in errors and metrics label ("weather-forecast"). */
  readonly service: string;
  /** Requests can only reach paths below this URL, on its origin. */
  readonly baseUrl: string | URL;
  /** Limit of one attempt (connect, headers and body). */
  readonly timeoutMs: number;
  /** Limit of a whole `getJson` call, retry and its wait included; default 2 × timeoutMs + baseDelayMs. */
  readonly budgetMs?: number;
  /** Largest body accepted, counted as bytes arrive (after decompression). */
  readonly maxBodyBytes: number;
  /** Sent with every request (a User-Agent, an API key header). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly retry: RetryOptions;
  readonly breaker: BreakerOptions;
  /** Milliseconds clock: budgets, HTTP-date Retry-After, circuit timing. */
  readonly now?: () => number;
  /** Numbers in [0, 1) for jitter. */
  readonly random?: () => number;
  readonly sleep?: Sleep;
  readonly fetchImpl?: typeof fetch;
  /** Called after every attempt (and every call the open circuit refused), for metrics. */
  readonly onRequest?: (event: UpstreamRequestEvent) => void;
}

/** Per-call options. */
export interface GetJsonOptions {
  /** The caller's cancellation (the tool call's signal); distinct from this client's timeout. */
  readonly signal: AbortSignal;
  readonly query?: QueryParams;
}

/** A JSON-over-HTTP client for one upstream service, with timeout, one retry and a circuit breaker. */
export interface UpstreamClient {
  readonly service: string;
  /** The normalised base URL (with a trailing slash). */
  readonly baseUrl: string;
  /**
   * GETs `path` below the base URL and parses its JSON. Fails with a validation_error ToolError
   * for a path that would leave the base URL; with an UpstreamError for every failure of the
   * service (classifyError gives rate_limited or external_service_error with its kind); and, when
   * the caller aborts, with the caller's abort reason (an AbortError, which classifies as cancelled).
   */
  getJson(path: string, options: GetJsonOptions): Promise<UpstreamResponse>;
  circuitState(): CircuitStateName;
}

/**
 * Builds a client. Options are checked here (a bad base URL or a zero timeout is a configuration
 * bug and throws at start, not on the first call).
 */
export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const { service, timeoutMs, maxBodyBytes, retry } = options;
  checkOptions(options);
  const base = normaliseBaseUrl(options.baseUrl);
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? realSleep;
  const budgetMs = options.budgetMs ?? 2 * timeoutMs + retry.baseDelayMs;
  const sendContext = {
    service,
    base,
    fetchImpl: options.fetchImpl ?? fetch,
    headers: options.headers ?? {},
    maxBodyBytes,
    now,
  };
  const circuit = createCircuit({ ...options.breaker, now, judge: judgeFailure });

  const emit = (event: Omit<UpstreamRequestEvent, "service">): void => {
    options.onRequest?.({ service, ...event });
  };

  /** One attempt under its own timeout; caller aborts become CallerAbort so the circuit can tell. */
  async function attempt(
    url: URL,
    callerSignal: AbortSignal,
    attemptTimeoutMs: number,
  ): Promise<UpstreamResponse> {
    const timeout = AbortSignal.timeout(attemptTimeoutMs);
    try {
      return await sendGet(url, sendContext, AbortSignal.any([callerSignal, timeout]));
    } catch (error) {
      // The signals, not the error, say who stopped the request: fetch rejects with the
      // reason of whichever fired first, and a caller may abort with any reason at all.
      if (callerSignal.aborted) throw new CallerAbort(callerSignal.reason);
      if (timeout.aborted) {
        throw new UpstreamError(service, `${service} did not answer within ${attemptTimeoutMs} ms`, {
          kind: "timeout",
          cause: timeout.reason,
        });
      }
      throw asUpstreamError(service, error);
    }
  }

  /** The wait before a retry, or undefined when this failure must be surfaced instead. */
  function retryDelay(error: UpstreamError, attemptNumber: number, deadline: number): number | undefined {
    if (attemptNumber > retry.maxRetries || !isTransientFailure(error)) return undefined;
    // The failure may just have opened the circuit: the retry would be refused anyway.
    if (circuit.state() === "open") return undefined;
    const wait = retryDelayMs(error, retry, random);
    // A retry left with less than half an attempt's time would likely time out and only add load;
    // a Retry-After longer than what is left is surfaced (retry_after_seconds) rather than slept.
    return deadline - now() - wait >= timeoutMs / 2 ? wait : undefined;
  }

  return {
    service,
    baseUrl: base.href,
    circuitState: () => circuit.state(),
    async getJson(path: string, { signal, query }: GetJsonOptions): Promise<UpstreamResponse> {
      const url = resolveUpstreamUrl(base, path, query);
      const deadline = now() + budgetMs;
      for (let attemptNumber = 1; ; attemptNumber++) {
        const started = now();
        const attemptTimeoutMs = Math.max(1, Math.min(timeoutMs, deadline - started));
        try {
          const response = await circuit.execute(() => attempt(url, signal, attemptTimeoutMs));
          emit({
            outcome: "success",
            attempt: attemptNumber,
            willRetry: false,
            durationMs: now() - started,
            status: response.status,
          });
          return response;
        } catch (raw) {
          const durationMs = now() - started;
          if (raw instanceof CallerAbort) {
            emit({ outcome: "cancelled", attempt: attemptNumber, willRetry: false, durationMs });
            throw raw.toAbortError();
          }
          const error =
            raw instanceof CircuitOpenError ? circuitOpenError(service, raw) : asUpstreamError(service, raw);
          const wait = retryDelay(error, attemptNumber, deadline);
          emit({
            outcome: outcomeOf(error),
            attempt: attemptNumber,
            willRetry: wait !== undefined,
            durationMs,
            ...(error.status === undefined ? {} : { status: error.status }),
          });
          if (wait === undefined) throw withCircuitWait(error, circuit.msUntilHalfOpen());
          try {
            await sleep(wait, signal);
          } catch (sleepError) {
            if (!signal.aborted) throw sleepError;
            throw new CallerAbort(signal.reason).toAbortError();
          }
        }
      }
    },
  };
}

/** Marks an attempt stopped by the caller: no failure of the service, and not retried. */
class CallerAbort extends Error {
  override readonly name = "CallerAbort";
  readonly reason: unknown;

  constructor(reason: unknown) {
    super("The caller aborted the request");
    this.reason = reason;
  }

  /**
   * What the caller gets back: its own reason when that is an AbortError or TimeoutError (so a
   * tool runner's deadline stays its own timeout), else an AbortError carrying the reason.
   */
  toAbortError(): Error {
    const name = this.reason instanceof Error ? this.reason.name : undefined;
    if (this.reason instanceof Error && (name === "AbortError" || name === "TimeoutError")) {
      return this.reason;
    }
    const error = new Error("The request was cancelled by the caller", { cause: this.reason });
    error.name = "AbortError";
    return error;
  }
}

/** Which failures count towards opening the circuit: the service being down or slow, not its refusals. */
function judgeFailure(error: unknown): FailureVerdict {
  if (error instanceof CallerAbort) return "inconclusive";
  const classified = classifyError(error);
  const kind = classified.type === "external_service_error" ? classified.details.kind : undefined;
  return kind === "server_error" || kind === "timeout" || kind === "connection_failed"
    ? "failure"
    : "healthy";
}

function circuitOpenError(service: string, error: CircuitOpenError): UpstreamError {
  return new UpstreamError(service, `Calls to ${service} are paused after repeated failures`, {
    kind: "circuit_open",
    retryAfterSeconds: Math.max(1, Math.ceil(error.retryAfterMs / 1000)),
    cause: error,
  });
}

/**
 * A failure that just opened the circuit tells the model to come back when the circuit half-opens,
 * not after the generic backoff, unless the service itself said when (Retry-After).
 */
function withCircuitWait(error: UpstreamError, msUntilHalfOpen: number): UpstreamError {
  if (msUntilHalfOpen <= 0 || error.retryAfterSeconds !== undefined || error.kind === "circuit_open")
    return error;
  return new UpstreamError(error.service, error.message, {
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.kind === undefined ? {} : { kind: error.kind }),
    ...(error.bodySnippet === undefined ? {} : { bodySnippet: error.bodySnippet }),
    retryAfterSeconds: Math.ceil(msUntilHalfOpen / 1000),
    cause: error.cause,
  });
}

function checkOptions(options: UpstreamClientOptions): void {
  const problems: string[] = [];
  const positive = (name: string, value: number | undefined): void => {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) problems.push(`${name} must be > 0`);
  };
  if (!/^[a-z][a-z0-9_-]{0,62}$/.test(options.service)) {
    problems.push("service must be a short lowercase name (it is a metric label)");
  }
  positive("timeoutMs", options.timeoutMs);
  positive("budgetMs", options.budgetMs);
  positive("maxBodyBytes", options.maxBodyBytes);
  positive("breaker.halfOpenAfterMs", options.breaker.halfOpenAfterMs);
  if (!Number.isInteger(options.breaker.consecutiveFailures) || options.breaker.consecutiveFailures < 1) {
    problems.push("breaker.consecutiveFailures must be a whole number >= 1");
  }
  if (
    !Number.isInteger(options.retry.maxRetries) ||
    options.retry.maxRetries < 0 ||
    options.retry.maxRetries > 3
  ) {
    problems.push("retry.maxRetries must be 0, 1, 2 or 3");
  }
  if (!(Number.isFinite(options.retry.baseDelayMs) && options.retry.baseDelayMs >= 0)) {
    problems.push("retry.baseDelayMs must be >= 0");
  }
  if (problems.length > 0) {
    throw new TypeError(`Invalid upstream client options for "${options.service}": ${problems.join("; ")}`);
  }
}
