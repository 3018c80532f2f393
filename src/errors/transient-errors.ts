import type { ExternalServiceKind } from "./catalog.js";
import { ToolError } from "./tool-error.js";

/** Builders for failures that are about time and availability rather than the arguments. */

/** Who limited the call and how long they asked us to wait. */
export interface RateLimitedInput {
  /** The limiting service; omitted when it is this server's own limiter. */
  readonly service?: string;
  readonly retryAfterSeconds?: number;
  readonly status_code?: number;
  readonly cause?: unknown;
}

/** A rate_limited error; the runner adds `retry` with the wait and the next attempt. */
export function rateLimited(input: RateLimitedInput = {}): ToolError {
  const who = input.service === undefined ? "This server" : input.service;
  return new ToolError("rate_limited", `${who} is rate limiting requests`, {
    ...(input.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: input.retryAfterSeconds }),
    details: {
      ...(input.service === undefined ? {} : { service: input.service }),
      ...(input.status_code === undefined ? {} : { status_code: input.status_code }),
    },
    cause: input.cause,
  });
}

/** What is known about an external failure. */
export interface ExternalServiceInput {
  readonly service?: string;
  readonly kind: ExternalServiceKind;
  readonly status_code?: number;
  readonly retryAfterSeconds?: number;
  readonly cause?: unknown;
}

/** An external_service_error whose wording and retryability follow its kind. */
export function externalServiceError(input: ExternalServiceInput): ToolError {
  const who = input.service ?? "An external service";
  const status = input.status_code === undefined ? "" : ` (HTTP ${input.status_code})`;
  const messages: Record<ExternalServiceKind, string> = {
    server_error: `${who} failed to handle the request${status}`,
    timeout: `${who} did not respond in time`,
    connection_failed: `Could not connect to ${input.service ?? "an external service"}`,
    circuit_open: `Calls to ${input.service ?? "an external service"} are paused after repeated failures`,
    client_error: `${who} rejected the request${status}`,
    bad_response: `${who} sent a response that could not be understood`,
  };
  return new ToolError("external_service_error", messages[input.kind], {
    ...(input.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: input.retryAfterSeconds }),
    details: {
      kind: input.kind,
      ...(input.service === undefined ? {} : { service: input.service }),
      ...(input.status_code === undefined ? {} : { status_code: input.status_code }),
    },
    cause: input.cause,
  });
}

/** The tool ran out of its time budget (the runner's deadline), or an unattributed timeout. */
export function timedOut(timeoutMs: number | undefined, cause?: unknown): ToolError {
  const message =
    timeoutMs === undefined
      ? "An operation in the tool timed out"
      : `The tool did not finish within ${formatSeconds(timeoutMs)}`;
  return new ToolError("timeout", message, {
    details: timeoutMs === undefined ? {} : { timeout_ms: timeoutMs },
    cause,
  });
}

/** The runner's deadline for the call passed; retry advice is added by the runner. */
export function deadlineExceeded(timeoutMs: number, cause?: unknown): ToolError {
  return timedOut(timeoutMs, cause).with({
    suggestion: "If it times out again, ask for less at once (fewer items, a narrower range).",
  });
}

/** The client cancelled the call. */
export function cancelled(cause?: unknown): ToolError {
  return new ToolError("cancelled", "The request was cancelled by the client before the tool finished", {
    cause,
  });
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(1)} seconds`;
}
