import type { FileHandle } from "node:fs/promises";
import { realpath } from "node:fs/promises";
import { errorCode } from "../../errors/classifiers/error-chain.js";
import { isInside } from "./root-paths.js";

/**
 * Where the file behind an open descriptor really is, read from Linux's /proc/self/fd: the path
 * check before `open` cannot see a directory swapped for a symlink in between (O_NOFOLLOW guards
 * only the last name), but the descriptor names what was actually opened. Undefined where /proc
 * is not mounted, which leaves the per-name check before `open` as the only guard.
 */
async function openedRealPath(handle: FileHandle): Promise<string | undefined> {
  try {
    return await realpath(`/proc/self/fd/${handle.fd}`);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
}

/** Whether the opened file is inside `root` (true when the platform cannot tell). */
export async function openedInside(root: string, handle: FileHandle): Promise<boolean> {
  const real = await openedRealPath(handle);
  return real === undefined || isInside(root, real);
}
