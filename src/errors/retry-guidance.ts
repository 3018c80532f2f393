/**
 * Retry guidance for transient failures: whether to retry, after how long, and which attempt the
 * next call is. Pure functions; the clock and randomness are parameters.
 */

/** The `retry` object of an error envelope (its field names are a contract with clients). */
export interface RetryGuidance {
  readonly should_retry: boolean;
  readonly retry_after_seconds?: number;
  readonly next_attempt?: number;
  readonly max_attempts: number;
  readonly reason?: string;
}

/** Backoff shape: `min(cap, base * 2^(attempt-1))`, optionally jittered. */
export interface BackoffOptions {
  readonly baseSeconds?: number;
  readonly capSeconds?: number;
  /**
   * "none": the plain exponential value. "equal": half fixed, half random, so many callers told
   * to wait do not come back in the same second, while the wait never drops below half.
   */
  readonly jitter?: "none" | "equal";
  /** A source of numbers in [0, 1); Math.random by default. */
  readonly random?: () => number;
}

/** Defaults: 2 s for the first retry, doubling, never more than 30 s. */
export const DEFAULT_BACKOFF = { baseSeconds: 2, capSeconds: 30 } as const;

/** Attempts per logical call unless a tool says otherwise. */
export const DEFAULT_MAX_ATTEMPTS = 3;

const DELAY_SECONDS = /^\d+$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
// RFC 9110 §5.6.7: IMF-fixdate, and the two obsolete forms recipients must still accept.
const IMF_FIXDATE = /^[A-Z][a-z]{2}, (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC_850 = /^[A-Z][a-z]+, (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/**
 * Parses a Retry-After header value into whole seconds from `nowMs`: delay-seconds or an
 * HTTP-date (a date in the past gives 0). Anything else, negative numbers included, gives
 * undefined so the caller falls back to its own backoff. Date.parse is not used: it accepts
 * strings like "1.5" as dates and reads asctime in local time.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (DELAY_SECONDS.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds) ? seconds : undefined;
  }
  const at = parseHttpDate(text, nowMs);
  if (at === undefined) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

function parseHttpDate(text: string, nowMs: number): number | undefined {
  const fields = httpDateFields(text, new Date(nowMs).getUTCFullYear());
  if (!fields) return undefined;
  const { year, month: monthName, day, hours, minutes, seconds } = fields;
  const month = MONTHS.indexOf(monthName);
  if (month < 0 || hours > 23 || minutes > 59 || seconds > 60) return undefined;
  const ms = Date.UTC(year, month, day, hours, minutes, seconds);
  // Date.UTC silently rolls "Feb 31" into March; such a header is garbage, not a date.
  const check = new Date(ms);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month) return undefined;
  return ms;
}

interface HttpDateFields {
  year: number;
  month: string;
  day: number;
  hours: number;
  minutes: number;
  seconds: number;
}

function httpDateFields(text: string, currentYear: number): HttpDateFields | undefined {
  const fixdate = IMF_FIXDATE.exec(text);
  if (fixdate) {
    const [, day, month, year, hours, minutes, seconds] = fixdate;
    return numbers(year, month, day, hours, minutes, seconds);
  }
  const rfc850 = RFC_850.exec(text);
  if (rfc850) {
    const [, day, month, yy, hours, minutes, seconds] = rfc850;
    // RFC 9110: a two-digit year more than 50 years ahead is read as the past century.
    const short = Number(yy);
    const year = 2000 + short > currentYear + 50 ? 1900 + short : 2000 + short;
    return numbers(String(year), month, day, hours, minutes, seconds);
  }
  const asctime = ASCTIME.exec(text);
  if (asctime) {
    const [, month, day, hours, minutes, seconds, year] = asctime;
    return numbers(year, month, day?.trim(), hours, minutes, seconds);
  }
  return undefined;
}

function numbers(
  year: string | undefined,
  month: string | undefined,
  day: string | undefined,
  hours: string | undefined,
  minutes: string | undefined,
  seconds: string | undefined,
): HttpDateFields | undefined {
  if (!year || !month || !day || !hours || !minutes || !seconds) return undefined;
  return {
    year: Number(year),
    month,
    day: Number(day),
    hours: Number(hours),
    minutes: Number(minutes),
    seconds: Number(seconds),
  };
}

/** Seconds to wait before `attempt` + 1, for a failure on `attempt` (1-based). Whole seconds, >= 1. */
export function backoffSeconds(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseSeconds ?? DEFAULT_BACKOFF.baseSeconds;
  const cap = options.capSeconds ?? DEFAULT_BACKOFF.capSeconds;
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const plain = Math.min(cap, base * 2 ** Math.min(exponent, 52));
  const value =
    options.jitter === "equal" ? plain / 2 + (options.random ?? Math.random)() * (plain / 2) : plain;
  return Math.max(1, Math.ceil(value));
}

/** What is known about a failure when deciding whether and when to retry. */
export interface RetryInput {
  readonly retryable: boolean;
  /** The attempt that just failed, 1-based. */
  readonly attempt?: number;
  readonly maxAttempts?: number;
  /** A wait the service asked for (Retry-After); it wins over backoff. */
  readonly retryAfterSeconds?: number;
  readonly backoff?: BackoffOptions;
  /** Why it is not retryable, in words a model can relay; a default is used otherwise. */
  readonly reason?: string;
}

/** Decides the `retry` object: no retry once attempts are used up or when the failure is permanent. */
export function retryGuidance(input: RetryInput): RetryGuidance {
  const attempt = Math.max(1, Math.floor(input.attempt ?? 1));
  const maxAttempts = Math.max(1, Math.floor(input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS));
  if (!input.retryable) {
    return {
      should_retry: false,
      max_attempts: maxAttempts,
      reason: input.reason ?? "This failure is not transient: the same call would fail again.",
    };
  }
  if (attempt >= maxAttempts) {
    return {
      should_retry: false,
      max_attempts: maxAttempts,
      reason: `Gave up after ${attempt} of ${maxAttempts} attempts.`,
    };
  }
  const retryAfter =
    input.retryAfterSeconds !== undefined
      ? Math.max(0, Math.ceil(input.retryAfterSeconds))
      : backoffSeconds(attempt, input.backoff);
  return {
    should_retry: true,
    retry_after_seconds: retryAfter,
    next_attempt: attempt + 1,
    max_attempts: maxAttempts,
  };
}
