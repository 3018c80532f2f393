import path from "node:path";

/** Whether the real path `absolute` is `root` itself or lies beneath it (both symlink-free). */
export function isInside(root: string, absolute: string): boolean {
  if (absolute === root) return true;
  // "/srv/ws" must not contain "/srv/ws-other": compare whole segments.
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return absolute.startsWith(prefix);
}

/** `absolute` as a workspace-relative path, "/"-separated, "." for the root itself. */
export function toWorkspaceRelative(root: string, absolute: string): string {
  const relative = path.relative(root, absolute);
  return relative === "" ? "." : relative.split(path.sep).join("/");
}

/** A workspace-relative child path: `joinRelative(".", "a")` is "a", `joinRelative("a", "b")` is "a/b". */
export function joinRelative(directory: string, name: string): string {
  return directory === "." ? name : `${directory}/${name}`;
}

/** The workspace-relative parent: "a/b" → "a", "a" → ".". */
export function parentRelative(relative: string): string {
  const slash = relative.lastIndexOf("/");
  return slash === -1 ? "." : relative.slice(0, slash);
}

/** Replaces each root (longest first) in `text` by a workspace-relative form. */
export function withoutRoots(text: string, roots: readonly string[]): string {
  let result = text;
  for (const root of [...roots].sort((a, b) => b.length - a.length)) {
    if (root === path.sep) continue;
    // "/srv/ws/docs/a.md" → "docs/a.md"; "/srv/ws" alone → ".".
    result = result.replaceAll(root + path.sep, "").replaceAll(root, ".");
  }
  return result;
}

/** Code-unit order: the same on every machine and locale, unlike localeCompare. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
