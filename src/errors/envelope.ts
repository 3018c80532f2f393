import { defaultSuggestion, type ErrorType } from "./catalog.js";
import type { DegradationWarning } from "./degradation.js";
import type { ResultMetadata, SuccessResult } from "./handler-result.js";
import { numberSteps, type RecoveryStep, type ToolStep } from "./recovery-steps.js";
import type { ToolError, ToolErrorDetails } from "./tool-error.js";

/** `error` of a failure envelope: the catalog fields, then whichever details apply. */
export interface ErrorBody extends Omit<ToolErrorDetails, "recovery_steps"> {
  readonly type: ErrorType;
  readonly code: number;
  readonly message: string;
  readonly suggestion: string;
  readonly reference_id: string;
  readonly recovery_steps?: readonly RecoveryStep[];
}

/** `{success: false, error}`. */
export interface ErrorEnvelope {
  readonly success: false;
  readonly error: ErrorBody;
}

/** `{success: true, data}` plus the extras that apply. */
export interface SuccessEnvelope {
  readonly success: true;
  readonly data: unknown;
  readonly degraded?: boolean;
  readonly warnings?: readonly DegradationWarning[];
  readonly metadata?: ResultMetadata;
  readonly next_steps?: readonly ToolStep[];
}

/** One failed item of a batch; the item's own key ("file", "item") is added beside these. */
export interface BatchItemError {
  readonly error_type: ErrorType;
  readonly code: number;
  readonly message: string;
  readonly suggestion: string;
  /** Retrying this item unchanged may succeed (the error is transient). */
  readonly recoverable: boolean;
  readonly reference_id?: string;
  readonly [itemKey: string]: unknown;
}

/** The seed's batch shape. */
export interface BatchEnvelope {
  readonly success: boolean;
  readonly summary: {
    readonly total: number;
    readonly succeeded: number;
    readonly failed: number;
    readonly success_rate: number;
  };
  readonly results: readonly unknown[];
  readonly errors: readonly BatchItemError[];
  readonly error_summary?: {
    readonly by_type: Readonly<Partial<Record<ErrorType, number>>>;
    readonly recoverable_count: number;
    readonly suggestion: string;
  };
}

/** Any envelope a tool call returns. */
export type Envelope = SuccessEnvelope | ErrorEnvelope | BatchEnvelope;

/** The only message an internal error ever shows. */
export function maskedMessage(referenceId: string): string {
  return `An unexpected error occurred (reference ${referenceId})`;
}

/** The message the client sees: the error's own, except for internal errors, which are masked. */
export function publicMessage(error: ToolError, referenceId: string): string {
  return error.type === "internal_error" ? maskedMessage(referenceId) : error.message;
}

/** The suggestion the client sees: the thrower's, else the kind's or type's default. */
export function publicSuggestion(error: ToolError, referenceId: string): string {
  if (error.type === "internal_error") {
    return `${defaultSuggestion("internal_error")} Reference: ${referenceId}.`;
  }
  return error.suggestion ?? defaultSuggestion(error.type, error.details.kind);
}

/**
 * The failure envelope. Internal errors show only the masked message, the suggestion and the
 * reference id (and `written`, which reveals nothing about the fault and is what a caller of an
 * all-or-nothing write most needs): no other details, no cause, no stack; those go to the log
 * under the same id.
 */
export function errorEnvelope(error: ToolError, referenceId: string): ErrorEnvelope {
  const head = {
    type: error.type,
    code: error.code,
    message: publicMessage(error, referenceId),
    suggestion: publicSuggestion(error, referenceId),
    reference_id: referenceId,
  };
  if (error.type === "internal_error") {
    const { written } = error.details;
    return { success: false, error: written === undefined ? head : { ...head, written } };
  }
  const { recovery_steps, retry, ...details } = error.details;
  return {
    success: false,
    error: {
      ...head,
      ...definedOnly(details),
      ...(retry === undefined ? {} : { retry }),
      ...(recovery_steps === undefined || recovery_steps.length === 0
        ? {}
        : { recovery_steps: numberSteps(recovery_steps) }),
    },
  };
}

/** The success envelope of a plain value or a `success()` result. */
export function successEnvelope(result: SuccessResult<unknown>): SuccessEnvelope {
  return {
    success: true,
    data: result.data,
    ...(result.degraded === undefined ? {} : { degraded: result.degraded }),
    ...(result.warnings === undefined ? {} : { warnings: result.warnings }),
    ...(result.metadata === undefined ? {} : { metadata: result.metadata }),
    ...(result.next_steps === undefined || result.next_steps.length === 0
      ? {}
      : { next_steps: result.next_steps }),
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  const defined: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) if (entry !== undefined) defined[key] = entry;
  return defined as Partial<T>;
}
