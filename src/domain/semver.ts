/**
 * Semantic Versioning 2.0.0 precedence (semver.org §11), enough to find an application's latest
 * version. SQLite cannot order these ("1.10.0" sorts before "1.9.0" as text), so versions are
 * sorted here after reading.
 */

// The regular expression semver.org suggests, without build metadata's capture of its own.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$/;

/** A parsed version: numeric core and pre-release identifiers (build metadata is ignored). */
export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly prerelease: readonly string[];
}

/** The parsed version, or undefined if `text` is not a semver 2.0.0 version. */
export function parseSemver(text: string): SemVer | undefined {
  const match = SEMVER.exec(text);
  if (!match) return undefined;
  const [, major = "0", minor = "0", patch = "0", prerelease] = match;
  return {
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
    prerelease: prerelease === undefined ? [] : prerelease.split("."),
  };
}

/** True if `text` is a semver 2.0.0 version. */
export function isSemver(text: string): boolean {
  return parseSemver(text) !== undefined;
}

/**
 * Negative if a < b, positive if a > b, 0 if they have the same precedence. Strings that are not
 * versions sort below every version (and by text among themselves), so bad data never throws.
 */
export function compareSemver(a: string, b: string): number {
  const left = parseSemver(a);
  const right = parseSemver(b);
  if (!left || !right) {
    if (left) return 1;
    if (right) return -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return (
    left.major - right.major ||
    left.minor - right.minor ||
    left.patch - right.patch ||
    comparePrerelease(left.prerelease, right.prerelease)
  );
}

/** The versions sorted highest first. */
export function sortVersionsDescending(versions: readonly string[]): string[] {
  return [...versions].sort((a, b) => compareSemver(b, a));
}

function comparePrerelease(left: readonly string[], right: readonly string[]): number {
  // A version without pre-release identifiers ranks above any with them: 1.0.0-rc.1 < 1.0.0.
  if (left.length === 0 || right.length === 0) return right.length - left.length;
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index += 1) {
    const order = compareIdentifier(left[index] ?? "", right[index] ?? "");
    if (order !== 0) return order;
  }
  return left.length - right.length;
}

function compareIdentifier(a: string, b: string): number {
  const aNumeric = /^\d+$/.test(a);
  const bNumeric = /^\d+$/.test(b);
  if (aNumeric && bNumeric) return Number(a) - Number(b);
  // Numeric identifiers rank below alphanumeric ones.
  if (aNumeric) return -1;
  if (bNumeric) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
