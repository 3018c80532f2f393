import { z } from "zod";

/**
 * `schema.safeParse(value)`, cheap on the paths every call takes: synchronous unless the schema
 * needs async (then it falls back to safeParseAsync), and without capturing a stack for the
 * ZodError, because a value that does not validate is an outcome to report, not a bug to trace.
 * A refinement or transform that throws is a bug: the parse runs again normally, so the error
 * that reaches the log carries its stack.
 */
export async function parseQuietly<T extends z.ZodType>(
  schema: T,
  value: unknown,
): Promise<z.ZodSafeParseResult<z.output<T>>> {
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return schema.safeParse(value);
  } catch {
    // An async schema ($ZodAsyncError) or a throwing refinement: both are handled below.
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  return schema.safeParseAsync(value);
}
