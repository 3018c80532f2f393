import type { Dirent, Stats } from "node:fs";
import { lstat, opendir, readlink, realpath } from "node:fs/promises";
import path from "node:path";
import { errorCode } from "../../errors/classifiers/error-chain.js";
import type { ToolError } from "../../errors/tool-error.js";
import { translateFsError } from "./fs-errors.js";
import { escapeRefusal, malformedRefusal, type PathRequest } from "./path-refusals.js";
import { checkPathSyntax } from "./path-syntax.js";
import { compareNames, isInside } from "./root-paths.js";
import type { WorkspaceContext } from "./workspace-context.js";

/** A path that exists inside the workspace. */
export interface ExistingPath {
  readonly exists: true;
  /** Normalised, "/"-separated, "." for the root: the name the client knows it by. */
  readonly relative: string;
  /** The real path, every symlink resolved and checked to stay inside the root. */
  readonly absolute: string;
}

/** Where a path stops existing: the deepest directory that does exist, and the first missing name. */
export interface MissingPart {
  /** Workspace-relative path of that directory (or of a file, when `parentIsFile`). */
  readonly parent: string;
  /** Its real path. */
  readonly parentAbsolute: string;
  /** The first name that is not there. */
  readonly name: string;
  /** The names the client gave after it. */
  readonly rest: readonly string[];
  /** The parent is a file, so nothing can exist under it. */
  readonly parentIsFile: boolean;
}

/**
 * A path that does not exist (yet). Its parent is real and inside the root; `absolute` is that
 * parent joined with the missing names. Its last existing name may be a dangling symlink whose
 * target would be inside: a writer must create files without following symlinks (O_NOFOLLOW|O_EXCL).
 */
export interface MissingPath {
  readonly exists: false;
  readonly relative: string;
  readonly absolute: string;
  readonly missing: MissingPart;
}

/** The outcome of resolving a client path that was not refused. */
export type ResolvedPath = ExistingPath | MissingPath;

type EscapeReporter = (reason: string) => Promise<ToolError>;

// Enough entries to pick an example from without reading a huge root in full.
const EXAMPLE_SCAN = 200;

/**
 * Resolves a client path to a real path inside the root, or throws: permission_denied when it
 * would leave the root (absolute, climbing "..", a symlink pointing out), validation_error when
 * it is malformed. Failures of the file system itself come back without the absolute root.
 */
export async function resolvePath(context: WorkspaceContext, request: PathRequest): Promise<ResolvedPath> {
  const syntax = checkPathSyntax(request.given, context.limits.maxPathLength);
  if (!syntax.ok) {
    if (syntax.kind === "malformed") {
      throw malformedRefusal(request, syntax.reason, syntax.expected, syntax.corrected);
    }
    throw escapeRefusal(request, syntax.reason, await pathExamples(context, syntax.insideCandidate));
  }
  const report: EscapeReporter = async (reason) =>
    escapeRefusal(request, reason, await pathExamples(context, undefined));
  try {
    return await walk(context, syntax.segments, report);
  } catch (error) {
    throw translateFsError(error, {
      given: request.given,
      action: request.action,
      roots: context.rootSpellings,
    });
  }
}

/**
 * Follows the path one name at a time from the real root. Checking every symlink on the way, not
 * only the final realpath, is what tells "a link points out" (refused) from "a name is missing"
 * (not found), and lets a path that does not exist yet be judged by its deepest real parent.
 */
async function walk(
  context: WorkspaceContext,
  segments: readonly string[],
  reportEscape: EscapeReporter,
): Promise<ResolvedPath> {
  const relative = segments.length === 0 ? "." : segments.join("/");
  let current = context.root;
  for (const [index, name] of segments.entries()) {
    const next = path.join(current, name);
    const missing = (parentIsFile: boolean): MissingPath => ({
      exists: false,
      relative,
      absolute: path.join(current, ...segments.slice(index)),
      missing: {
        parent: index === 0 ? "." : segments.slice(0, index).join("/"),
        parentAbsolute: current,
        name,
        rest: segments.slice(index + 1),
        parentIsFile,
      },
    });
    let info: Stats;
    try {
      info = await lstat(next);
    } catch (error) {
      const code = errorCode(error);
      if (code === "ENOENT") return missing(false);
      if (code === "ENOTDIR") return missing(true);
      throw error;
    }
    if (!info.isSymbolicLink()) {
      current = next;
      continue;
    }
    const linkName = segments.slice(0, index + 1).join("/");
    const link = await followLink(context.root, next);
    if (link.kind === "dangling") return missing(false);
    if (link.kind !== "inside") {
      const how = link.kind === "outside" ? "points outside the workspace" : "loops back on itself";
      throw await reportEscape(`goes through ${JSON.stringify(linkName)}, a symbolic link that ${how}`);
    }
    current = link.real;
  }
  return { exists: true, relative, absolute: current };
}

type LinkTarget =
  { readonly kind: "inside"; readonly real: string } | { readonly kind: "outside" | "loop" | "dangling" };

/** Where a symlink really leads: a real path inside the root, or why it cannot be used. */
async function followLink(root: string, link: string): Promise<LinkTarget> {
  let target: string;
  try {
    target = await realpath(link);
  } catch (error) {
    const code = errorCode(error);
    if (code === "ELOOP") return { kind: "loop" };
    if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
    // A dangling link: judge its text, so a link to a missing file outside is still refused.
    let text: string;
    try {
      text = await readlink(link);
    } catch (readError) {
      // Replaced or removed since lstat saw a link: nothing is there to follow now.
      const gone = errorCode(readError);
      if (gone === "EINVAL" || gone === "ENOENT") return { kind: "dangling" };
      throw readError;
    }
    return { kind: isInside(root, path.resolve(path.dirname(link), text)) ? "dangling" : "outside" };
  }
  return isInside(root, target) ? { kind: "inside", real: target } : { kind: "outside" };
}

/**
 * Paths to suggest instead of a refused one: the same path kept inside the root if that exists
 * ("/docs/guide.md" → "docs/guide.md"), a top-level file and folder, and ".". Only real, plain
 * (non-symlink) entries are offered, so a suggestion is never itself refused.
 */
async function pathExamples(context: WorkspaceContext, candidate: string | undefined): Promise<string[]> {
  const examples: string[] = [];
  if (candidate !== undefined) {
    const syntax = checkPathSyntax(candidate, context.limits.maxPathLength);
    try {
      const found = syntax.ok
        ? await walk(context, syntax.segments, () => Promise.reject(new Error("escape")))
        : undefined;
      if (found?.exists === true && found.relative !== ".") examples.push(found.relative);
    } catch {
      // A candidate that cannot be used is simply not suggested.
    }
  }
  const entries = await topLevelEntries(context.root);
  const file = entries.find((entry) => entry.isFile());
  const folder = entries.find((entry) => entry.isDirectory());
  for (const entry of [file, folder]) {
    if (entry !== undefined && !examples.includes(entry.name)) examples.push(entry.name);
  }
  examples.push(".");
  return examples;
}

async function topLevelEntries(root: string): Promise<Dirent[]> {
  const entries: Dirent[] = [];
  try {
    for await (const entry of await opendir(root)) {
      entries.push(entry);
      if (entries.length >= EXAMPLE_SCAN) break;
    }
  } catch {
    // Examples are a courtesy: an unreadable root leaves just ".".
    return [];
  }
  return entries.sort((a, b) => compareNames(a.name, b.name));
}
