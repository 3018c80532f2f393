import { z } from "zod";

/**
 * A string id that also accepts an unambiguous number: models and clients often send ids as
 * numbers (the Inspector CLI turns user_id=1 into 1).
 */
export function idArgument(description: string) {
  return z
    .union([z.string(), z.number().int().nonnegative()])
    .transform((value) => String(value).trim())
    .describe(description);
}
