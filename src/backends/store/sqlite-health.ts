import { statSync, statfsSync } from "node:fs";
import path from "node:path";
import type { CheckResult } from "../../health/readiness.js";
import type { StoreRoom } from "./sqlite-write-probe.js";

/**
 * Fewer pages left than this under DATA_MAX_BYTES, and the store is full: one imported item (a
 * row, its index entries, a page split) already fails with 3 pages (12 KiB) left.
 */
export const MIN_PAGES_LEFT = 8;
/** Less free space than this on the data file's file system, and the disk is full. */
export const MIN_DISK_BYTES = 1024 * 1024;

/** What the probe needs of the store: its file, and a write that reports the room left. */
export interface ProbedStore {
  /** The data file's path. */
  readonly file: string;
  probeWrite(): Promise<StoreRoom>;
}

/** A file's identity: the same path holding another inode is another file. */
interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

function identityOf(file: string): FileIdentity | undefined {
  try {
    const { dev, ino } = statSync(file);
    return { dev, ino };
  } catch {
    return undefined;
  }
}

/**
 * Builds the store's health probe. Each run checks, in order: the data file is still the one the
 * store opened (deleted: writes would go to an unlinked file and vanish at restart; replaced: the
 * server writes to the old one); a write commits; the file may grow (pages left under
 * DATA_MAX_BYTES, bytes left on its file system). Call it right after the store opened, so the
 * identity it remembers is the opened file's.
 */
export function sqliteHealthProbe(store: ProbedStore): () => Promise<CheckResult> {
  const opened = identityOf(store.file);
  return async () => {
    const current = identityOf(store.file);
    if (current === undefined) {
      return fail(
        "file_deleted",
        `The data file ${path.basename(store.file)} was deleted while open: writes would be lost at restart. Restore it, or restart the server to create a new one.`,
      );
    }
    if (opened !== undefined && (current.dev !== opened.dev || current.ino !== opened.ino)) {
      return fail(
        "file_replaced",
        `The data file ${path.basename(store.file)} was replaced while open: the server still writes to the old file. Restart the server to open the new one.`,
      );
    }
    let room: StoreRoom;
    try {
      room = await store.probeWrite();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const detail = typeof code === "string" ? code : error instanceof Error ? error.name : "error";
      return fail(
        "write_failed",
        `A test write to the data file failed (${detail}); every write will fail until it is fixed.`,
      );
    }
    if (room.pagesLeft < MIN_PAGES_LEFT) {
      return fail(
        "no_space",
        `The data file has ${room.pagesLeft} free page(s) left under DATA_MAX_BYTES: writes fail. Free space in the store or raise DATA_MAX_BYTES.`,
      );
    }
    const available = diskBytesAvailable(path.dirname(store.file));
    if (available !== undefined && available < MIN_DISK_BYTES) {
      return fail(
        "no_space",
        `The data directory's file system has ${available} bytes free: writes fail. Free disk space.`,
      );
    }
    return { ok: true };
  };
}

function diskBytesAvailable(directory: string): number | undefined {
  try {
    const stats = statfsSync(directory);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}

function fail(reason: string, message: string): CheckResult {
  return { ok: false, reason, message };
}
