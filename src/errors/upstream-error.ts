import type { ExternalServiceKind } from "./catalog.js";

/** What an upstream client knows about a failed call. */
export interface UpstreamErrorOptions {
  /** The HTTP status the service answered with, if it answered. */
  readonly status?: number;
  /** Seconds the service asked us to wait (parsed Retry-After). */
  readonly retryAfterSeconds?: number;
  /** Force a kind when status and cause do not tell (e.g. circuit_open). */
  readonly kind?: ExternalServiceKind;
  /** The first bytes of the response body: logged for humans, never sent to the client. */
  readonly bodySnippet?: string;
  /** The underlying error: a fetch TypeError, a SyntaxError from JSON.parse, a ZodError… */
  readonly cause?: unknown;
}

/**
 * Marks a failure as the fault of a named external service. Backends (HTTP upstream clients, Redis
 * stores) throw or wrap with it; the classifier then reads status, kind and cause with certainty
 * instead of guessing. This matters most for errors that are ambiguous on their own: a SyntaxError
 * inside an UpstreamError is a bad response from the service; a bare SyntaxError is our own bug.
 */
export class UpstreamError extends Error {
  override readonly name = "UpstreamError";
  /** A short, stable service name the model may see ("weather-api", "redis"). */
  readonly service: string;
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly kind: ExternalServiceKind | undefined;
  readonly bodySnippet: string | undefined;

  constructor(service: string, message: string, options: UpstreamErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.service = service;
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.kind = options.kind;
    this.bodySnippet = options.bodySnippet;
  }
}

/** Wraps anything thrown while calling `service` so it is classified as that service's failure. */
export function asUpstreamError(service: string, error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new UpstreamError(service, `${service} call failed: ${detail}`, { cause: error });
}
