import type { ToolStep } from "./recovery-steps.js";
import { ToolError, type FailedRecord } from "./tool-error.js";

/** The record a create would have duplicated. */
export interface AlreadyExistsInput {
  readonly resource_type: string;
  readonly identifier: string;
  /** The record of a multi-record write that carried the duplicate. */
  readonly failed_record?: FailedRecord;
  /** Replaces "<resource_type> '<identifier>' already exists", e.g. to say what was not written. */
  readonly message?: string;
  readonly suggestion?: string;
  readonly recovery_steps?: readonly ToolStep[];
  readonly cause?: unknown;
}

/** An already_exists error: not retryable, the model should update or rename instead. */
export function alreadyExists(input: AlreadyExistsInput): ToolError {
  const message = input.message ?? `${input.resource_type} '${input.identifier}' already exists`;
  return new ToolError("already_exists", message, {
    ...(input.suggestion === undefined ? {} : { suggestion: input.suggestion }),
    details: {
      resource_type: input.resource_type,
      identifier: input.identifier,
      ...(input.failed_record === undefined ? {} : { failed_record: input.failed_record }),
      ...(input.recovery_steps ? { recovery_steps: input.recovery_steps } : {}),
    },
    cause: input.cause,
  });
}

/** The operation or state that stands in the way, and when it may be over. */
export interface ConflictInput {
  readonly message: string;
  /** The blocking resource, e.g. resource_type "deployment", identifier its id. */
  readonly resource_type?: string;
  readonly identifier?: string;
  /** When the conflict is expected to clear; the runner puts it in `retry`. */
  readonly retryAfterSeconds?: number;
  /**
   * False when waiting cannot clear it (a state that never changes back): the runner then says
   * not to retry instead of the catalog's "wait, then call again". True by default.
   */
  readonly retryable?: boolean;
  readonly suggestion?: string;
  readonly recovery_steps?: readonly ToolStep[];
  readonly cause?: unknown;
}

/**
 * A conflict error: retryable once the other operation ends (deployment_in_progress), or, with
 * `retryable: false`, a state that forbids the operation for good (an archived project).
 */
export function conflict(input: ConflictInput): ToolError {
  return new ToolError("conflict", input.message, {
    ...(input.suggestion === undefined ? {} : { suggestion: input.suggestion }),
    ...(input.retryable === undefined ? {} : { retryable: input.retryable }),
    ...(input.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: input.retryAfterSeconds }),
    details: {
      ...(input.resource_type === undefined ? {} : { resource_type: input.resource_type }),
      ...(input.identifier === undefined ? {} : { identifier: input.identifier }),
      ...(input.recovery_steps ? { recovery_steps: input.recovery_steps } : {}),
    },
    cause: input.cause,
  });
}
