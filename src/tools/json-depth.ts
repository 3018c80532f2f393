import { z } from "zod";

/**
 * How deep free-form JSON (project settings) may nest. The store's JSON check refuses past 1,000
 * levels and recursive validation overflows the stack near 2,000, both as server faults; settings
 * are configuration, for which 32 levels is already far more than anyone writes.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether `value` nests deeper than `limit` (arrays and objects count; the top level is 1). An
 * explicit stack instead of recursion, stopping at the first value past the limit, so the check
 * itself cannot overflow and costs at most one visit of each value.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [current, depth] = next;
    if (typeof current !== "object" || current === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}

/**
 * `schema`, refused with a message naming the limit when the value nests deeper than `limit`,
 * before `schema` (whose recursive parse a deep value would overflow) ever sees it.
 */
export function depthLimited<T extends z.ZodType>(schema: T, field: string, limit = MAX_JSON_DEPTH) {
  return z.preprocess((value, ctx) => {
    if (nestsDeeperThan(value, limit)) {
      ctx.addIssue({
        code: "custom",
        message: `${field} nests deeper than the limit of ${limit} levels of objects and arrays`,
        input: value,
      });
    }
    return value;
  }, schema);
}
