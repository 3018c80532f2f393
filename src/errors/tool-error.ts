import { ERROR_CATALOG, isRetryable, type ErrorType, type ExternalServiceKind } from "./catalog.js";
import type { ToolStep } from "./recovery-steps.js";
import type { RetryGuidance } from "./retry-guidance.js";

/** A JSON scalar, for examples and received values that must survive JSON.stringify unchanged. */
export type JsonPrimitive = string | number | boolean | null;

/** One bad argument of a validation_error. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
  readonly received?: string;
  readonly expected?: string;
  readonly examples?: readonly JsonPrimitive[];
}

/**
 * The optional fields an error envelope may carry; their names are a contract with clients. Each
 * group belongs to some types: validation (field…fields), lookup (resource_type…similar_matches),
 * permission (action…required_permission), external (kind, service, status_code), timeout.
 */
export interface ToolErrorDetails {
  readonly field?: string;
  readonly received?: string;
  readonly expected?: string;
  readonly examples?: readonly JsonPrimitive[];
  readonly fields?: readonly FieldIssue[];
  readonly resource_type?: string;
  readonly identifier?: string;
  readonly similar_matches?: readonly string[];
  readonly action?: string;
  readonly resource?: string;
  readonly required_permission?: string;
  readonly kind?: ExternalServiceKind;
  readonly service?: string;
  readonly status_code?: number;
  readonly timeout_ms?: number;
  /** Which conflict this is, e.g. "deployment_in_progress". */
  readonly reason?: string;
  /** The deployment in the way of a deployment_in_progress conflict. */
  readonly current_deployment?: string;
  /** The record of a multi-record write that failed, by its place in the request. */
  readonly failed_record?: FailedRecord;
  /** How many records an all-or-nothing write stored: 0 when it rolled back. */
  readonly written?: number;
  readonly retry?: RetryGuidance;
  /** Numbered when the envelope is built; checked against the served tools by the runner. */
  readonly recovery_steps?: readonly ToolStep[];
}

/** One record of a batch write: which list of the request, its position there, and its id. */
export interface FailedRecord {
  readonly collection: string;
  readonly index: number;
  readonly id: string;
}

/** How to build a ToolError beyond its type and message. */
export interface ToolErrorOptions {
  /** Overrides the catalog's default suggestion. */
  readonly suggestion?: string;
  readonly details?: ToolErrorDetails;
  /** A wait the failing service asked for; the runner turns it into `retry` guidance. */
  readonly retryAfterSeconds?: number;
  /**
   * Overrides the catalog's retryability for this one failure: whoever refused knows whether
   * waiting can change the answer (a busy deployment slot frees up; an archived project stays
   * archived, though both are conflicts).
   */
  readonly retryable?: boolean;
  /** The original error: logged with its stack, never sent to the client. */
  readonly cause?: unknown;
}

/**
 * The one error class of the error service: the catalog type is data, not a subclass. Tools throw
 * it (usually through a builder such as `notFound`); the classifier turns everything else into one.
 * Its message is shown to the model for every type except internal_error, whose message is masked.
 */
export class ToolError extends Error {
  override readonly name = "ToolError";
  readonly type: ErrorType;
  readonly details: ToolErrorDetails;
  /** The thrower's own suggestion, if any; the envelope falls back to the catalog's. */
  readonly suggestion: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly #retryable: boolean | undefined;

  constructor(type: ErrorType, message: string, options: ToolErrorOptions = {}) {
    // Operational errors are outcomes, logged without a stack; capturing one costs more than the
    // rest of a not_found. An internal_error keeps its stack (and its cause's) for the log.
    const stackTraceLimit = Error.stackTraceLimit;
    if (type !== "internal_error") Error.stackTraceLimit = 0;
    try {
      super(message, options.cause === undefined ? undefined : { cause: options.cause });
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    this.type = type;
    this.details = options.details ?? {};
    this.suggestion = options.suggestion;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.#retryable = options.retryable;
  }

  /** The catalog code of this type. */
  get code(): number {
    return ERROR_CATALOG[this.type].code;
  }

  /**
   * Whether calling again unchanged can succeed: the thrower's answer when it gave one, else the
   * catalog's (by type, and by kind for external services).
   */
  get retryable(): boolean {
    return this.#retryable ?? isRetryable(this.type, this.details.kind);
  }

  /**
   * A copy with more details, another suggestion or a known wait; the stack, cause and
   * retryability stay the original's.
   */
  with(changes: {
    readonly details?: ToolErrorDetails;
    readonly suggestion?: string;
    readonly retryAfterSeconds?: number;
  }): ToolError {
    const retryAfterSeconds = changes.retryAfterSeconds ?? this.retryAfterSeconds;
    const copy = new ToolError(this.type, this.message, {
      suggestion: changes.suggestion ?? this.suggestion,
      details: { ...this.details, ...changes.details },
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      ...(this.#retryable === undefined ? {} : { retryable: this.#retryable }),
      ...(this.cause === undefined ? {} : { cause: this.cause }),
    });
    copy.stack = this.stack;
    return copy;
  }
}
