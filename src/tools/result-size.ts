import { validationError } from "../errors/validation-error.js";
import { errorOutcome, type ShapedCall } from "./call-outcome.js";

/**
 * A result bigger than `maxBytes` (MAX_RESULT_BYTES) of JSON is not sent: the call is answered
 * with a validation_error naming the limit, so one call cannot make the server write megabytes
 * (and the model read them). Undefined: no bound.
 */
export function withinResultBytes(
  shaped: ShapedCall,
  maxBytes: number | undefined,
  referenceId: string,
  nowMs: number,
): ShapedCall {
  if (maxBytes === undefined) return shaped;
  const bytes = Buffer.byteLength(JSON.stringify(shaped.envelope));
  if (bytes <= maxBytes) return shaped;
  const error = validationError({
    field: "arguments",
    received: bytes,
    expected: `a result of at most ${maxBytes} bytes (MAX_RESULT_BYTES)`,
    message: `The result would be ${bytes} bytes, over the limit of ${maxBytes} bytes (MAX_RESULT_BYTES)`,
    suggestion:
      "Ask for less in one call: fewer files or items, or a narrower query, and call again for the rest.",
  });
  return errorOutcome(error, referenceId, nowMs);
}
