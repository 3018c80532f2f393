import type { DeploymentSlot } from "./deployments.js";

/**
 * Typed refusals: what a store says when the rules forbid an operation, as data. No store holds
 * model-facing wording: a tool phrases a refusal (src/errors/refusal-wording.ts gives the shared
 * wording, tools add their own recovery steps), and whether calling again can help is decided
 * here, once, for every store.
 */

/** The record lists of this domain, named as a request names them. */
export type RecordCollection = "users" | "items" | "projects" | "applications" | "versions" | "deployments";

/** Why an operation was refused. */
export type DomainRefusal =
  /** No record with this id; `known` are ids that exist (for "did you mean"). */
  | {
      readonly kind: "unknown_record";
      readonly collection: RecordCollection;
      readonly id: string;
      readonly known: readonly string[];
    }
  /** The application has no such version; `available` is highest first. */
  | {
      readonly kind: "unknown_version";
      readonly app: string;
      readonly version: string;
      readonly available: readonly string[];
    }
  /** A start without a version, for an application that has none. */
  | { readonly kind: "no_versions"; readonly app: string }
  /**
   * A write would duplicate a unique value. `index` is the record's place in its collection of
   * the request (absent for single-record writes); `field` is the unique field that clashed.
   */
  | {
      readonly kind: "duplicate_record";
      readonly collection: RecordCollection;
      readonly index?: number;
      readonly id: string;
      readonly field: string;
      readonly value: string;
    }
  /** A value the rules do not accept; `field` is its path in the request, e.g. "users[1].role". */
  | {
      readonly kind: "invalid_value";
      readonly field: string;
      readonly received: unknown;
      readonly expected: string;
      readonly examples?: readonly string[];
    }
  /** Archived projects are read-only, for good. */
  | { readonly kind: "project_archived"; readonly project: string }
  /** The deployment has finished: it cannot be cancelled any more. */
  | { readonly kind: "deployment_finished"; readonly deployment: DeploymentSlot }
  /** Another deployment holds the application+environment slot until it finishes. */
  | { readonly kind: "deployment_in_progress"; readonly active: DeploymentSlot };

/**
 * Whether the same operation can succeed later without any change: only when the refusal is
 * about something in progress that ends by itself. Record keeps it exhaustive.
 */
const CLEARS_BY_ITSELF: Readonly<Record<DomainRefusal["kind"], boolean>> = {
  unknown_record: false,
  unknown_version: false,
  no_versions: false,
  duplicate_record: false,
  invalid_value: false,
  project_archived: false,
  deployment_finished: false,
  deployment_in_progress: true,
};

/** True if waiting and calling again unchanged can succeed. */
export function isRetryableRefusal(refusal: DomainRefusal): boolean {
  return CLEARS_BY_ITSELF[refusal.kind];
}

/** What a store throws for a refusal; `refusal` is the data, the message is for logs only. */
export class RefusalError extends Error {
  override readonly name = "RefusalError";

  constructor(
    readonly refusal: DomainRefusal,
    options?: { readonly cause?: unknown },
  ) {
    // A refusal is an outcome, not a bug: no stack (capturing one costs more than the rest).
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(`Refused: ${refusal.kind}`, options);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }
}

/** Throws the refusal, if there is one. */
export function enforce(refusal: DomainRefusal | undefined): void {
  if (refusal !== undefined) throw new RefusalError(refusal);
}
