import type { Dirent } from "node:fs";
import { opendir, stat } from "node:fs/promises";
import path from "node:path";
import type { ToolError } from "../../errors/tool-error.js";
import { validationError } from "../../errors/validation-error.js";
import { usableKind } from "./entry-kind.js";
import { translateFsError } from "./fs-errors.js";
import { missingPathError } from "./missing-path.js";
import { quotePath, type PathRequest } from "./path-refusals.js";
import { resolvePath } from "./resolve-path.js";
import { compareNames, joinRelative, parentRelative } from "./root-paths.js";
import type { WorkspaceContext } from "./workspace-context.js";

/** The seed's bounds on search_files arguments, shared with the tool's input schema. */
export const SEARCH_LIMITS = Object.freeze({
  minQueryLength: 2,
  maxQueryLength: 255,
  minResults: 1,
  maxResults: 100,
  defaultMaxResults: 10,
});

/** The seed's search_files data, plus why it was truncated and what could not be read. */
export interface SearchResult {
  /** Workspace-relative, "/"-separated paths of regular files, in walk order. */
  readonly matches: string[];
  readonly count: number;
  /** More matches may exist than are listed. */
  readonly truncated: boolean;
  /** The searched folder, workspace-relative; "." for the root. */
  readonly searched_path: string;
  /** Present when truncated: more matches than max_results, or the scan limit cut the walk short. */
  readonly truncated_reason?: "max_results" | "scan_limit";
  /** Folders that could not be read; files in them are not in `matches`. Present when not empty. */
  readonly skipped_directories?: string[];
}

/** Options of one search. */
export interface SearchOptions {
  /** Stops the walk between folders once aborted (pass the tool call's signal). */
  readonly signal?: AbortSignal;
}

interface Folder {
  readonly real: string;
  readonly relative: string;
}

/**
 * Regular files under `userPath` whose name contains `query`, case-insensitively. The walk is
 * breadth-first with each folder's names in code-unit order, so results are deterministic and
 * shallow files come first (most likely what was meant) when the list is cut. Symlinks are
 * listed only when they lead to a file inside the root, and never descended into: the folder they
 * point at is inside the root, so it is walked anyway, and cycles cannot arise. At most
 * `maxEntriesScanned` entries are looked at.
 */
export async function searchFiles(
  context: WorkspaceContext,
  query: string,
  userPath: string,
  maxResults: number,
  options: SearchOptions = {},
): Promise<SearchResult> {
  checkQuery(query);
  checkMaxResults(maxResults);
  const request: PathRequest = { given: userPath, field: "path", action: "search" };
  const resolved = await resolvePath(context, request);
  if (!resolved.exists) throw await missingPathError(context, request, resolved, "directory");
  const fsContext = { given: userPath, action: "search", roots: context.rootSpellings };
  try {
    if (!(await stat(resolved.absolute)).isDirectory()) throw notAFolder(request, resolved.relative);
  } catch (error) {
    throw translateFsError(error, fsContext);
  }

  const needle = query.toLowerCase();
  const matches: string[] = [];
  const skipped: string[] = [];
  const queue: Folder[] = [{ real: resolved.absolute, relative: resolved.relative }];
  let scanned = 0;
  let reason: SearchResult["truncated_reason"];

  walk: for (let next = 0; next < queue.length; next++) {
    options.signal?.throwIfAborted();
    const folder = queue[next] as Folder;
    const budget = context.limits.maxEntriesScanned - scanned;
    let listing: Listing;
    try {
      listing = await readEntries(folder.real, budget);
    } catch (error) {
      // The searched folder itself failing is the call's failure; a subfolder is only a gap.
      if (next === 0) throw translateFsError(error, fsContext);
      skipped.push(folder.relative);
      continue;
    }
    scanned += listing.entries.length;
    for (const entry of listing.entries) {
      const relative = joinRelative(folder.relative, entry.name);
      const kind = await kindForSearch(context.root, folder.real, entry, needle);
      if (kind === "directory") queue.push({ real: path.join(folder.real, entry.name), relative });
      if (kind === "match") matches.push(relative);
      if (matches.length > maxResults) {
        reason = "max_results";
        break walk;
      }
    }
    // With the budget spent, the next non-empty folder comes back cut: empty ones do not truncate.
    if (listing.cut) {
      reason = "scan_limit";
      break;
    }
  }

  const listed = matches.slice(0, maxResults);
  return {
    matches: listed,
    count: listed.length,
    truncated: reason !== undefined,
    searched_path: resolved.relative,
    ...(reason === undefined ? {} : { truncated_reason: reason }),
    ...(skipped.length === 0 ? {} : { skipped_directories: skipped }),
  };
}

/**
 * What an entry means to the walk: a folder to descend into (real folders only), a matching
 * file, or nothing. Symlinks are resolved only when their name matches: that is the one case
 * where it matters whether they lead to a file inside the root.
 */
async function kindForSearch(
  root: string,
  directory: string,
  entry: Dirent,
  needle: string,
): Promise<"directory" | "match" | undefined> {
  if (entry.isDirectory()) return "directory";
  const matches = entry.name.toLowerCase().includes(needle);
  if (entry.isFile()) return matches ? "match" : undefined;
  if (entry.isSymbolicLink()) {
    return matches && (await usableKind(root, directory, entry)) === "file" ? "match" : undefined;
  }
  // Type unknown from the listing (some file systems): ask; usableKind never reports a symlink as a folder.
  const kind = await usableKind(root, directory, entry);
  if (kind === "directory") return "directory";
  return kind === "file" && matches ? "match" : undefined;
}

interface Listing {
  readonly entries: Dirent[];
  /** The budget ran out before the folder did. */
  readonly cut: boolean;
}

/** Up to `budget` entries, sorted by name (the cut, if any, follows the file system's order). */
async function readEntries(directory: string, budget: number): Promise<Listing> {
  const entries: Dirent[] = [];
  let cut = false;
  for await (const entry of await opendir(directory)) {
    if (entries.length >= budget) {
      cut = true;
      break;
    }
    entries.push(entry);
  }
  return { entries: entries.sort((a, b) => compareNames(a.name, b.name)), cut };
}

function checkQuery(query: string): void {
  const { minQueryLength, maxQueryLength } = SEARCH_LIMITS;
  if (query.length < minQueryLength) {
    throw validationError({
      field: "query",
      received: query,
      expected: `a part of a file name, at least ${minQueryLength} characters long`,
      message: `Query must be at least ${minQueryLength} characters`,
      suggestion: "Try a longer search term.",
    });
  }
  if (query.length > maxQueryLength) {
    throw validationError({
      field: "query",
      received: query,
      expected: `at most ${maxQueryLength} characters`,
      message: `Query must be at most ${maxQueryLength} characters, got ${query.length}`,
      suggestion: "Search for a shorter part of the file name.",
    });
  }
  const separator = /[/\\]/u.exec(query);
  if (separator) {
    const at = Math.max(query.lastIndexOf("/"), query.lastIndexOf("\\"));
    const folder = query.slice(0, at).replaceAll("\\", "/");
    const name = query.slice(at + 1);
    throw validationError({
      field: "query",
      received: query,
      expected: "a part of a file name, without folders",
      message: `Query ${quotePath(query)} contains ${JSON.stringify(separator[0])}, but it is matched against file names only`,
      suggestion:
        name.length >= minQueryLength && folder !== ""
          ? `Put the folder in path: query ${quotePath(name)} with path ${quotePath(folder)}.`
          : "Search for a part of the file name, and put the folder in path.",
    });
  }
}

function checkMaxResults(maxResults: number): void {
  const { minResults, maxResults: most } = SEARCH_LIMITS;
  if (!Number.isInteger(maxResults) || maxResults < minResults || maxResults > most) {
    throw validationError({
      field: "max_results",
      received: maxResults,
      expected: `a whole number from ${minResults} to ${most}`,
      message: `max_results must be ${minResults}-${most}, got ${String(maxResults)}`,
      suggestion: `Use max_results between ${minResults} and ${most}.`,
      examples: [SEARCH_LIMITS.defaultMaxResults],
    });
  }
}

function notAFolder(request: PathRequest, relative: string): ToolError {
  const folder = parentRelative(relative);
  return validationError({
    field: request.field,
    received: "a file",
    expected: "the path of a folder",
    message: `Invalid ${request.field} ${quotePath(request.given)}: it is a file, not a folder to search in (invalid type)`,
    suggestion: `Search its folder instead: path ${quotePath(folder)}.`,
    examples: [folder],
  });
}
