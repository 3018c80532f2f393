import { z } from "zod";

/*
 * Parsers of environment values shared by config/schema.ts and the topic files beside it
 * (config/weather.ts, …): each takes the string the environment holds and yields a typed value,
 * or an issue naming what it expected.
 */

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

/** An origin such as "https://app.example.com:8443", normalised as browsers send it, or "*". */
export function toOrigin(value: string): string | undefined {
  if (value === "*") return value;
  try {
    const url = new URL(value);
    const bare = url.pathname === "/" && url.search === "" && url.hash === "" && url.username === "";
    return bare && (url.protocol === "http:" || url.protocol === "https:") ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

export const originList = commaList.pipe(
  z.array(
    z
      .string()
      .refine((entry) => toOrigin(entry) !== undefined, {
        error: 'expected origins like "http://localhost" or "https://app.example.com:8443", or "*"',
      })
      .transform((entry) => toOrigin(entry) ?? entry),
  ),
);

export const hostList = commaList.pipe(
  z.array(
    z.string().regex(/^(\*|\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, {
      error:
        'expected host names like "localhost", "mcp.example.com" or "[::1]", optionally with ":port", or "*"',
    }),
  ),
);

/** An http(s) base URL, without a trailing slash. */
export const baseUrl = z
  .string()
  .trim()
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return (
          (url.protocol === "http:" || url.protocol === "https:") && url.search === "" && url.hash === ""
        );
      } catch {
        return false;
      }
    },
    { error: 'expected an http(s) base URL such as "https://api.example.com/v1"' },
  )
  .transform((value) => value.replace(/\/+$/, ""));

export const permissionList = commaList.pipe(
  z.array(z.string().regex(/^[a-z][a-z0-9_.*-]*$/, { error: 'expected permissions like "project.create"' })),
);
