/** Parsers of environment values shared by the configuration topics (config/*.ts). */
import { z } from "zod";

/** Parses "true"/"false"/"1"/"0"/"yes"/"no" (any case); anything else is a configuration error. */
export const booleanFlag = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(["true", "false", "1", "0", "yes", "no"], { error: 'expected "true" or "false"' }))
  .transform((value) => value === "true" || value === "1" || value === "yes");

/** A whole number within bounds, read from a string. */
export function wholeNumber(min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, { error: `expected a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { error: `expected a whole number from ${min} to ${max}` })
        .max(max, { error: `expected a whole number from ${min} to ${max}` }),
    );
}

/** A comma-separated list; blank entries are dropped. */
export const commaList = z.string().transform((value) =>
  value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0),
);

/**
 * A URL with one of `protocols` (e.g. ["http:", "https:"]); `bare` also refuses a query string or
 * fragment. Kept as typed; `error` says what was expected, with an example.
 */
export function urlWithProtocol(protocols: readonly string[], error: string, bare = false) {
  return z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          const url = new URL(value);
          return protocols.includes(url.protocol) && (!bare || (url.search === "" && url.hash === ""));
        } catch {
          return false;
        }
      },
      { error },
    );
}

/** An http(s) base URL, without a trailing slash. */
export const baseUrl = urlWithProtocol(
  ["http:", "https:"],
  'expected an http(s) base URL such as "https://api.example.com/v1"',
  true,
).transform((value) => value.replace(/\/+$/, ""));
