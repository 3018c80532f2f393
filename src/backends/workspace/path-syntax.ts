/**
 * The verdict on a client-supplied path from its text alone, before the file system is asked.
 * `segments` is the normalised path ("" and "." dropped, ".." applied); `[]` is the root.
 */
export type PathSyntax =
  | { readonly ok: true; readonly segments: readonly string[] }
  | {
      readonly ok: false;
      readonly kind: "escape";
      readonly reason: string;
      /** The same path kept inside the root (prefix and climbing ".." dropped), to suggest if it exists. */
      readonly insideCandidate: string | undefined;
    }
  | {
      readonly ok: false;
      readonly kind: "malformed";
      readonly reason: string;
      readonly expected: string;
      /** What the client probably meant, when that is clear (forward slashes, decoded escapes). */
      readonly corrected: string | undefined;
    };

/** NAME_MAX on Linux and macOS, in bytes. */
export const MAX_SEGMENT_BYTES = 255;

const RELATIVE_PATH = 'a path relative to the workspace root, such as "docs/guide.md"';
/**
 * A percent-escape of a character that changes how a path is read: ".", "/", "\" or a control
 * character, possibly double-encoded ("%252e" is "%2e" once decoded). Other escapes ("%20") stay
 * literal: a file may really be called "50%20off.txt", and no decoder sits between us and the disk.
 */
const SIGNIFICANT_ESCAPE = /%(?:25)*(2e|2f|5c|[01][0-9a-f]|7f)/giu;
const DRIVE_LETTER = /^[a-z]:/iu;

/** Judges `given` without touching the disk: escapes first (they are refused), then malformations. */
export function checkPathSyntax(given: string, maxPathLength: number): PathSyntax {
  if (given.length > maxPathLength) {
    return malformed(`is ${given.length} characters long; the limit is ${maxPathLength}`, "a shorter path");
  }
  if (given === "") return malformed("is empty", `"." for the workspace root, or ${RELATIVE_PATH}`, ".");
  if (given.includes("\u0000")) return malformed("contains a NUL byte", RELATIVE_PATH);
  const control = firstControlCharacter(given);
  if (control !== undefined) {
    return malformed(`contains the control character ${codePoint(control)}`, RELATIVE_PATH);
  }

  // Read the path the way a lenient server would (decoded, backslashes as separators): if that
  // reading leaves the root, this is a traversal attempt whatever its spelling.
  const decoded = given.replace(SIGNIFICANT_ESCAPE, (_match, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
  const interpreted = decoded.replaceAll("\\", "/");
  const spelling = describeSpelling(given, decoded, interpreted);
  const { segments, climbs } = normalise(interpreted);
  const inside = segments.length === 0 ? undefined : segments.join("/");

  if (interpreted.startsWith("//")) return escape(`is a UNC network path${spelling}`, undefined);
  if (interpreted.startsWith("/")) return escape(`is an absolute path${spelling}`, inside);
  if (DRIVE_LETTER.test(interpreted)) return escape(`starts with a Windows drive letter${spelling}`, inside);
  if (interpreted === "~" || interpreted.startsWith("~/")) {
    return escape(`refers to a home directory${spelling}`, inside);
  }
  if (climbs) return escape(`has ".." segments that climb above the workspace root${spelling}`, inside);

  const corrected = segments.length === 0 ? "." : segments.join("/");
  if (firstControlCharacter(decoded) !== undefined) {
    return malformed("contains a URL-encoded NUL byte or control character", RELATIVE_PATH);
  }
  if (decoded !== given) {
    return malformed(
      "contains URL-encoded characters (such as %2e or %2f); paths are used as written and never URL-decoded",
      `${RELATIVE_PATH}, written with plain "." and "/"`,
      corrected,
    );
  }
  if (interpreted !== decoded) {
    return malformed('uses backslashes; separate folders with "/"', RELATIVE_PATH, corrected);
  }
  const long = segments.find((segment) => Buffer.byteLength(segment, "utf8") > MAX_SEGMENT_BYTES);
  if (long !== undefined) {
    return malformed(
      `has a name of ${Buffer.byteLength(long, "utf8")} bytes; the limit is ${MAX_SEGMENT_BYTES} bytes per name`,
      `names of at most ${MAX_SEGMENT_BYTES} bytes`,
    );
  }
  return { ok: true, segments };
}

interface Normalised {
  readonly segments: string[];
  /** Some ".." went above the root (and was ignored in `segments`). */
  readonly climbs: boolean;
}

// Also drops a drive or home prefix: that only shapes the suggestion for a path already refused.
function normalise(interpreted: string): Normalised {
  const segments: string[] = [];
  let climbs = false;
  const parts = interpreted.replace(DRIVE_LETTER, "").split("/");
  if (parts[0] === "~") parts.shift();
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      // Ignoring a climbing ".." is what keeps `segments` inside; `climbs` records that it happened.
      if (segments.length === 0) climbs = true;
      segments.pop();
      continue;
    }
    segments.push(part);
  }
  return { segments, climbs };
}

// C0 controls (NUL included), DEL and C1 controls: never part of a name a model means to send.
// A loop rather than a regex, which would need control characters in its source.
function firstControlCharacter(text: string): string | undefined {
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return character;
  }
  return undefined;
}

function describeSpelling(given: string, decoded: string, interpreted: string): string {
  const ways = [
    ...(decoded === given ? [] : ["URL-decoded"]),
    ...(interpreted === decoded ? [] : ["with backslashes read as separators"]),
  ];
  return ways.length === 0 ? "" : ` (once ${ways.join(" and ")})`;
}

function codePoint(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

function escape(reason: string, insideCandidate: string | undefined): PathSyntax {
  return { ok: false, kind: "escape", reason, insideCandidate };
}

function malformed(reason: string, expected: string, corrected?: string): PathSyntax {
  return { ok: false, kind: "malformed", reason, expected, corrected };
}
