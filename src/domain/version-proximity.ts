import { compareSemver, parseSemver, type SemVer } from "./semver.js";

/**
 * Versions nearest to `requested`, best first, for "did you mean". Nearness is semantic, not
 * textual: the first differing part decides (major, then minor, then patch), and on a tie the
 * newest wins, so a request for 3.0.0 among 1.0.0, 1.1.0 and 2.0.0 offers 2.0.0, then 1.1.0,
 * then 1.0.0. A short form counts as its full version ("v1.10" is 1.10.0, "2" is
 * 2.0.0); a request that is no version at all gets none (an edit-distance guess would rank
 * "1.0.0" near "10.0"), and versions that do not parse are never offered.
 */
export function nearestVersions(requested: string, available: readonly string[], limit = 5): string[] {
  const target = parseLoosely(requested);
  if (target === undefined) return [];
  const ranked: { readonly version: string; readonly key: readonly number[] }[] = [];
  for (const version of new Set(available)) {
    const parsed = parseSemver(version);
    if (parsed !== undefined && version !== requested)
      ranked.push({ version, key: distance(target, parsed) });
  }
  ranked.sort((a, b) => compareKeys(a.key, b.key) || compareSemver(b.version, a.version));
  return ranked.slice(0, limit).map((entry) => entry.version);
}

function distance(target: SemVer, candidate: SemVer): number[] {
  const major = Math.abs(target.major - candidate.major);
  const minor = major === 0 ? Math.abs(target.minor - candidate.minor) : 0;
  const patch = major === 0 && minor === 0 ? Math.abs(target.patch - candidate.patch) : 0;
  return [major, minor, patch];
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let index = 0; index < a.length; index += 1) {
    const order = (a[index] ?? 0) - (b[index] ?? 0);
    if (order !== 0) return order;
  }
  return 0;
}

// "v1.2", "1.2", "2" and "1.2.0-rc.1" as a model may write them.
const LOOSE_VERSION = /^v?(\d{1,9})(?:\.(\d{1,9}))?(?:\.(\d{1,9}))?(-[0-9A-Za-z.-]+)?$/i;

function parseLoosely(requested: string): SemVer | undefined {
  const text = requested.trim();
  const exact = parseSemver(text);
  if (exact !== undefined) return exact;
  const match = LOOSE_VERSION.exec(text);
  if (!match) return undefined;
  const [, major = "0", minor = "0", patch = "0", prerelease = ""] = match;
  return parseSemver(`${Number(major)}.${Number(minor)}.${Number(patch)}${prerelease}`);
}
