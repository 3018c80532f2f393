import { z } from "zod";
import type { ToolError } from "../tool-error.js";
import { validationErrorFromZod } from "../validation-error.js";

/**
 * A ZodError thrown by a handler is taken to be about the caller's input (a handler parsing a
 * nested argument). Schemas applied to upstream data must be wrapped in an UpstreamError, which
 * makes them bad_response instead.
 */
export function classifyZod(error: unknown): ToolError | undefined {
  return error instanceof z.core.$ZodError ? validationErrorFromZod(error) : undefined;
}
