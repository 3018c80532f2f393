import { randomBytes } from "node:crypto";

/** Makes a new record id with the given prefix. */
export type IdGenerator = (prefix: string) => string;

// Enough digits of base 36 for milliseconds until the year 5188, so ids sort by creation time.
const TIME_DIGITS = 9;

/**
 * Ids such as "dep_0mh2k9x1c4f7a2b9": the prefix says what the id names (a model that mixes up a
 * deployment id and a batch id gets a clear not_found), the time part makes ids sort by creation,
 * and 40 random bits keep ids made in the same millisecond apart.
 */
export function timeSortableId(prefix: string, now: () => number = Date.now): string {
  const time = now().toString(36).padStart(TIME_DIGITS, "0");
  return `${prefix}_${time}${randomBytes(5).toString("hex")}`;
}
