import { validationError } from "../../errors/validation-error.js";
import type { ToolError } from "../../errors/tool-error.js";

/** Query parameters; undefined values are left out. */
export type QueryParams = Readonly<Record<string, string | number | boolean | undefined>>;

const MAX_PATH_LENGTH = 2048;
const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
// Encoded separators survive our URL parsing but a server may decode them into "../" or "\".
const ENCODED_SEPARATOR = /%(2f|5c)/i;
const EXPECTED = 'a path relative to the service\'s base URL, such as "users/42" or "search?q=x"';

/**
 * Checks a configured base URL once, at start: http(s), no credentials, query or fragment. The
 * path gets a trailing slash so that joining appends to it instead of replacing its last segment.
 */
export function normaliseBaseUrl(baseUrl: string | URL): URL {
  const url = new URL(baseUrl);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`Upstream base URL must be http or https: ${url.href}`);
  }
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    throw new TypeError(`Upstream base URL must not carry credentials, a query or a fragment: ${url.origin}`);
  }
  if (!url.pathname.endsWith("/")) url.pathname = `${url.pathname}/`;
  return url;
}

/**
 * Joins a caller's path (often written by a model) under `base` so that the result can only name
 * a resource below the base path on the base origin. A leading "/" means the base path, not the
 * host root. Absolute and protocol-relative URLs, backslashes, control characters, encoded
 * separators, fragments and ".." climbing above the base path are refused with a validation_error
 * on `field`, before any request is made.
 */
export function resolveUpstreamUrl(base: URL, path: string, query: QueryParams = {}, field = "path"): URL {
  const refuse = (reason: string): ToolError =>
    validationError({
      field,
      received: path,
      expected: EXPECTED,
      message: `Invalid ${field}: ${reason}`,
      suggestion: `Pass ${EXPECTED}; host names, full URLs and ".." above the base are not allowed.`,
    });

  if (path.length > MAX_PATH_LENGTH) throw refuse(`longer than ${MAX_PATH_LENGTH} characters`);
  if (hasControlCharacter(path)) throw refuse("contains control characters (CR, LF, NUL, tab…)");
  if (path.includes("\\")) throw refuse("contains a backslash");
  if (path.startsWith("//")) throw refuse("a protocol-relative URL (//host) would leave the service");
  if (URL_SCHEME.test(path)) throw refuse("an absolute URL would leave the service; give a relative path");
  if (path.includes("#")) throw refuse("contains a fragment (#), which is never sent to a server");
  const [pathPart = ""] = path.split("?", 1);
  if (ENCODED_SEPARATOR.test(pathPart)) throw refuse("contains an encoded slash or backslash (%2F, %5C)");

  const relative = path.startsWith("/") ? path.slice(1) : path;
  // Checked on the segments as written: the URL parser clamps "../" at the root, so at a base of
  // "/" the joined URL alone would not show that "../admin" tried to climb.
  if (climbsAboveStart(pathPart.startsWith("/") ? pathPart.slice(1) : pathPart)) {
    throw refuse("climbs above the service's base path");
  }
  const url = new URL(relative, base);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
    throw refuse("climbs above the service's base path");
  }
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.append(key, String(value));
  }
  return url;
}

/** True if ".." segments (also written %2e%2e) go above where the path starts. */
function climbsAboveStart(path: string): boolean {
  let depth = 0;
  for (const segment of path.split("/")) {
    const plain = segment.replace(/%2e/gi, ".");
    if (plain === "..") depth -= 1;
    else if (plain !== "." && plain !== "") depth += 1;
    if (depth < 0) return true;
  }
  return false;
}

/**
 * C0 controls and DEL: CR/LF would split headers in a naive client, and the URL parser silently
 * strips tabs and newlines, so a path could mean something other than what was checked.
 */
function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
