import { realpath } from "node:fs/promises";
import path from "node:path";
import { notFound } from "../../errors/not-found.js";
import { findSimilar } from "../../errors/similar-matches.js";
import type { ToolError } from "../../errors/tool-error.js";
import { listUsableEntries, type EntryKind, type UsableEntry } from "./entry-kind.js";
import { quotePath, type PathRequest } from "./path-refusals.js";
import type { MissingPath } from "./resolve-path.js";
import { isInside, joinRelative } from "./root-paths.js";
import type { WorkspaceContext } from "./workspace-context.js";

// Enough of a directory to find a near miss in, without reading a huge one in full.
const SIBLINGS_SCANNED = 1000;
const ENTRIES_LISTED = 10;
const SIMILAR_LIMIT = 5;

/**
 * not_found for a path that does not exist, with `similar_matches` drawn from the names next to
 * the first missing one ("docs/gide.md" → "docs/guide.md") and, when nothing is close, the names
 * that are there, so the model's next call can succeed without a separate listing.
 */
export async function missingPathError(
  context: WorkspaceContext,
  request: PathRequest,
  resolved: MissingPath,
  wanted: EntryKind,
): Promise<ToolError> {
  const { parent, parentAbsolute, name, rest, parentIsFile } = resolved.missing;
  if (parentIsFile) {
    return notFound({
      resource_type: wanted,
      identifier: request.given,
      suggestion: `${quotePath(parent)} is a file, not a folder, so nothing exists under it; use ${quotePath(parent)} itself or a path in another folder.`,
    });
  }
  // The missing name must be a folder when more names follow it or when a folder is wanted.
  const wantedHere: EntryKind = rest.length > 0 || wanted === "directory" ? "directory" : "file";
  const siblings = await listUsableEntries(context.root, parentAbsolute, SIBLINGS_SCANNED);
  const eligible = siblings.filter((sibling) => sibling.kind === wantedHere).map((sibling) => sibling.name);
  const similarNames = findSimilar(name, eligible, { limit: SIMILAR_LIMIT });
  const similar = [
    ...new Set(
      await Promise.all(
        similarNames.map((near) => completed(context.root, parentAbsolute, parent, near, rest)),
      ),
    ),
  ];
  const place = parent === "." ? "The workspace root" : `The folder ${quotePath(parent)}`;
  const [best] = similar;
  const suggestion =
    best !== undefined
      ? `Did you mean ${quotePath(best)}?`
      : siblings.length === 0
        ? `${place} is empty; check the path.`
        : `${place} contains: ${describeListing(siblings)}. Check the path against these names.`;
  const error = notFound({ resource_type: wanted, identifier: request.given, suggestion });
  return similar.length > 0 ? error.with({ details: { similar_matches: similar } }) : error;
}

/** The near name with the rest of the client's path, if that exists; else the near name alone. */
async function completed(
  root: string,
  parentAbsolute: string,
  parent: string,
  near: string,
  rest: readonly string[],
): Promise<string> {
  const alone = joinRelative(parent, near);
  if (rest.length === 0) return alone;
  try {
    const real = await realpath(path.join(parentAbsolute, near, ...rest));
    return isInside(root, real) ? `${alone}/${rest.join("/")}` : alone;
  } catch {
    return alone;
  }
}

function describeListing(siblings: readonly UsableEntry[]): string {
  const shown = siblings
    .slice(0, ENTRIES_LISTED)
    .map((sibling) => (sibling.kind === "directory" ? `${sibling.name}/` : sibling.name));
  const more = siblings.length - shown.length;
  return `${shown.join(", ")}${more > 0 ? ` (and ${more} more)` : ""}`;
}
