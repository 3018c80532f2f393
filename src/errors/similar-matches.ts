import { distance } from "fastest-levenshtein";

/** How many suggestions and how far off they may be. */
export interface SimilarOptions {
  /** At most this many matches (5 by default). */
  readonly limit?: number;
  /**
   * Edit distance allowed, as a share of the longer string's length: 0.4 lets "alise" find
   * "alice" but keeps "zeta" from matching "beta-release".
   */
  readonly maxDistanceRatio?: number;
}

interface Ranked {
  readonly candidate: string;
  readonly score: number;
  /** Ties go to the candidate sharing the longer start: typos rarely hit the first letters. */
  readonly sharedPrefix: number;
}

// Short queries would otherwise be a prefix or substring of half the candidates.
const MIN_AFFIX_QUERY_LENGTH = 3;
const PREFIX_BOOST = 0.3;
const SUBSTRING_BOOST = 0.15;

/**
 * Candidates that look like what the caller meant, best first: a case-insensitive Levenshtein
 * distance relative to length, with a boost for candidates that start with or contain the query
 * (a model often sends a truncated or partial name). Exact matches are not suggestions.
 */
export function findSimilar(
  query: string,
  candidates: Iterable<string>,
  options: SimilarOptions = {},
): string[] {
  const limit = options.limit ?? 5;
  const maxRatio = options.maxDistanceRatio ?? 0.4;
  const needle = query.trim().toLowerCase();
  if (needle.length === 0 || limit <= 0) return [];
  const ranked: Ranked[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    if (seen.has(candidate) || candidate === query) continue;
    seen.add(candidate);
    const hay = candidate.toLowerCase();
    const longer = Math.max(hay.length, needle.length);
    const ratio = distance(needle, hay) / longer;
    const affixAllowed = needle.length >= MIN_AFFIX_QUERY_LENGTH;
    const prefix = affixAllowed && (hay.startsWith(needle) || needle.startsWith(hay));
    const substring = affixAllowed && !prefix && (hay.includes(needle) || needle.includes(hay));
    // Same name in another case: the best suggestion there is.
    const sharedPrefix = commonPrefixLength(needle, hay);
    if (hay === needle) {
      ranked.push({ candidate, score: -1, sharedPrefix });
    } else if (ratio <= maxRatio || prefix || substring) {
      const boost = prefix ? PREFIX_BOOST : substring ? SUBSTRING_BOOST : 0;
      ranked.push({ candidate, score: ratio - boost, sharedPrefix });
    }
  }
  ranked.sort(
    (a, b) => a.score - b.score || b.sharedPrefix - a.sharedPrefix || a.candidate.localeCompare(b.candidate),
  );
  return ranked.slice(0, limit).map((entry) => entry.candidate);
}

function commonPrefixLength(a: string, b: string): number {
  let length = 0;
  while (length < a.length && length < b.length && a[length] === b[length]) length++;
  return length;
}
