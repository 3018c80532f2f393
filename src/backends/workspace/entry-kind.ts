import type { Dirent } from "node:fs";
import { lstat, opendir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { compareNames, isInside } from "./root-paths.js";

/** What a directory entry is, as far as a client may use it. */
export type EntryKind = "file" | "directory";

/**
 * The kind of a directory entry a client may use, or undefined for what it may not: a symlink
 * leading out of the root (or nowhere), a socket, a FIFO, a device. A symlink is judged by its
 * real target, so it is offered exactly when `resolvePath` would accept it.
 */
export async function usableKind(
  root: string,
  directory: string,
  entry: Dirent,
): Promise<EntryKind | undefined> {
  if (entry.isFile()) return "file";
  if (entry.isDirectory()) return "directory";
  const full = path.join(directory, entry.name);
  try {
    if (entry.isSymbolicLink()) {
      const target = await realpath(full);
      if (!isInside(root, target)) return undefined;
      return kindOf(await stat(target));
    }
    // Some file systems do not report entry types in listings; ask for this one.
    const info = await lstat(full);
    return info.isSymbolicLink() ? undefined : kindOf(info);
  } catch {
    // Vanished, dangling or unreadable: not something to offer.
    return undefined;
  }
}

function kindOf(info: { isFile(): boolean; isDirectory(): boolean }): EntryKind | undefined {
  if (info.isFile()) return "file";
  if (info.isDirectory()) return "directory";
  return undefined;
}

/** One usable entry of a directory. */
export interface UsableEntry {
  readonly name: string;
  readonly kind: EntryKind;
}

/**
 * The usable entries among the first `scanLimit` of a directory, sorted by name; empty when the
 * directory cannot be read. For suggestions and examples only, which must never fail a call.
 */
export async function listUsableEntries(
  root: string,
  directory: string,
  scanLimit: number,
): Promise<UsableEntry[]> {
  const entries: UsableEntry[] = [];
  try {
    let seen = 0;
    for await (const entry of await opendir(directory)) {
      if (++seen > scanLimit) break;
      const kind = await usableKind(root, directory, entry);
      if (kind !== undefined) entries.push({ name: entry.name, kind });
    }
  } catch {
    return [];
  }
  return entries.sort((a, b) => compareNames(a.name, b.name));
}
