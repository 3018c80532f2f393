import { classifyError } from "../../errors/classify.js";

/**
 * Outcomes of one upstream request: the `outcome` label of `upstream_requests_total`. A closed
 * set, so the metric's cardinality is fixed whatever the services answer.
 */
export const UPSTREAM_OUTCOMES = [
  "success",
  "client_error",
  "rate_limited",
  "server_error",
  "timeout",
  "connection_failed",
  "bad_response",
  "circuit_open",
  "cancelled",
] as const;

/** One outcome of an upstream request. */
export type UpstreamOutcome = (typeof UPSTREAM_OUTCOMES)[number];

/** What `onRequest` hears after every attempt, including calls the open circuit refused. */
export interface UpstreamRequestEvent {
  readonly service: string;
  readonly outcome: UpstreamOutcome;
  /** 1 for the first try, 2 for the internal retry. */
  readonly attempt: number;
  /** Whether the client will try again after this attempt. */
  readonly willRetry: boolean;
  readonly durationMs: number;
  /** The HTTP status, when the service answered. */
  readonly status?: number;
}

/**
 * The outcome of a failed attempt, read off the error service's own classification so the metric
 * and the error the model sees can never disagree.
 */
export function outcomeOf(error: unknown): UpstreamOutcome {
  const classified = classifyError(error);
  switch (classified.type) {
    case "rate_limited":
      return "rate_limited";
    case "cancelled":
      return "cancelled";
    case "timeout":
      return "timeout";
    case "external_service_error":
      return classified.details.kind ?? "server_error";
    case "internal_error":
      // A configured address fetch refuses to call (blocked port, bad URL): no connection was made.
      return "connection_failed";
    default:
      // Only UpstreamErrors reach here, which classify as one of the above; keep the set closed anyway.
      return "bad_response";
  }
}
