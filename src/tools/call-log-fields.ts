import { stdSerializers } from "pino";
import type { ClassifiedFailure } from "../errors/batch.js";
import { classifyError } from "../errors/classify.js";
import type { ComponentFailure } from "../errors/handler-result.js";
import type { ToolError } from "../errors/tool-error.js";

/*
 * The fields of a tool call's log line about what went wrong. Unexpected failures are logged
 * with their stack; operational ones with a brief cause, because their message (a path, a
 * status) is what a human needs and a stack for every not_found would drown the log.
 */

/** Fields of a failed call: type, code, the external service's kind and status, and the cause. */
export function errorLogFields(error: ToolError): Record<string, unknown> {
  const common = {
    error_type: error.type,
    error_code: error.code,
    ...(error.details.kind === undefined ? {} : { kind: error.details.kind }),
    // Not "service": every line already carries the server's own name under that key.
    ...(error.details.service === undefined ? {} : { upstream_service: error.details.service }),
    ...(error.details.status_code === undefined ? {} : { status_code: error.details.status_code }),
  };
  if (error.type === "internal_error") return { ...common, err: causeOf(error) };
  return {
    ...common,
    error_message: error.message,
    // A validation error's cause is the ZodError: its message restates error_message as
    // pretty-printed JSON, and building it costs more than the rest of the line.
    ...(error.type === "validation_error" ? {} : { cause: briefCause(error.cause) }),
  };
}

/** One entry per failed batch item. */
export function itemErrorLogFields(failures: readonly ClassifiedFailure[]): unknown[] {
  return failures.map(({ item, error }) => ({
    item,
    error_type: error.type,
    ...(error.type === "internal_error"
      ? { err: serializeCause(error) }
      : { cause: briefCause(error.cause) }),
  }));
}

/** One entry per optional component that failed in a degraded success. */
export function componentFailureLogFields(failures: readonly ComponentFailure[]): unknown[] {
  return failures.map(({ component, error }) => {
    const classified = classifyError(error);
    return {
      component,
      error_type: classified.type,
      ...(classified.type === "internal_error"
        ? { err: serializeCause(classified) }
        : { cause: briefCause(error) }),
    };
  });
}

/**
 * The error behind an internal ToolError, for a line's top-level `err`: the logger's own err
 * serializer turns it into {type, message, stack}. (Serializing it here first made that
 * serializer see a plain object, and log `err.type: "Object"`.)
 */
function causeOf(error: ToolError): Error {
  return error.cause instanceof Error ? error.cause : error;
}

/** For errors nested inside a line (batch items, components), where no serializer runs. */
function serializeCause(error: ToolError): unknown {
  const original = error.cause instanceof Error ? error.cause : error;
  return stdSerializers.err(original);
}

function briefCause(cause: unknown): Record<string, unknown> | undefined {
  if (cause === undefined) return undefined;
  if (!(cause instanceof Error)) return { value: typeof cause === "string" ? cause : typeof cause };
  const code = (cause as { code?: unknown }).code;
  return {
    name: cause.name,
    message: cause.message,
    ...(typeof code === "string" || typeof code === "number" ? { code } : {}),
  };
}
