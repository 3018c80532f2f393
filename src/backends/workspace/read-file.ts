import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import type { ToolError } from "../../errors/tool-error.js";
import { validationError } from "../../errors/validation-error.js";
import { listUsableEntries } from "./entry-kind.js";
import { translateFsError } from "./fs-errors.js";
import { missingPathError } from "./missing-path.js";
import { openedInside } from "./opened-path.js";
import { escapeRefusal, listPaths, quotePath, type PathRequest } from "./path-refusals.js";
import { resolvePath, type ExistingPath } from "./resolve-path.js";
import { joinRelative } from "./root-paths.js";
import type { WorkspaceContext } from "./workspace-context.js";

/** A regular file inside the workspace. */
export interface RegularFile {
  /** Workspace-relative path, as resolved from the client's. */
  readonly relative: string;
  readonly size: number;
  readonly modified: Date;
}

/** A regular file and its whole content (at most `maxFileBytes`). */
export interface LoadedFile extends RegularFile {
  readonly content: Buffer;
}

/*
 * O_NOFOLLOW: the real path was checked, so a symlink appearing there now is a swap made after
 * the check; opening it fails (ELOOP, which the error service reports as permission_denied).
 * O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
 */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const CHUNK_BYTES = 64 * 1024;
const FILES_SUGGESTED = 3;
const ENTRIES_SCANNED = 1000;

/** A regular file's size and time, refusing directories, special files and missing paths. */
export async function statFile(context: WorkspaceContext, request: PathRequest): Promise<RegularFile> {
  return withRegularFile(context, request, (_handle, file) => Promise.resolve(file));
}

/**
 * A regular file's content, refusing files over `maxFileBytes` before reading them and, should
 * one grow meanwhile, after reading one byte past the limit: memory stays bounded either way.
 */
export async function readFileBytes(context: WorkspaceContext, request: PathRequest): Promise<LoadedFile> {
  const limit = context.limits.maxFileBytes;
  return withRegularFile(context, request, async (handle, file) => {
    if (file.size > limit) throw tooLarge(request, limit, file.size);
    const chunks: Buffer[] = [];
    let total = 0;
    while (total <= limit) {
      const chunk = Buffer.alloc(Math.min(CHUNK_BYTES, limit + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, total);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
    }
    if (total > limit) throw tooLarge(request, limit, undefined);
    return { ...file, size: total, content: Buffer.concat(chunks, total) };
  });
}

async function withRegularFile<T>(
  context: WorkspaceContext,
  request: PathRequest,
  use: (handle: FileHandle, file: RegularFile) => Promise<T>,
): Promise<T> {
  const resolved = await resolvePath(context, request);
  if (!resolved.exists) throw await missingPathError(context, request, resolved, "file");
  let handle: FileHandle;
  try {
    handle = await open(resolved.absolute, OPEN_FLAGS);
  } catch (error) {
    throw translateFsError(error, {
      given: request.given,
      action: request.action,
      roots: context.rootSpellings,
    });
  }
  try {
    if (!(await openedInside(context.root, handle))) {
      throw escapeRefusal(request, "changed while it was being opened and led outside the workspace", []);
    }
    const info = await handle.stat();
    if (info.isDirectory()) throw await isDirectory(context, request, resolved);
    if (!info.isFile()) throw notRegular(request);
    return await use(handle, { relative: resolved.relative, size: info.size, modified: info.mtime });
  } catch (error) {
    throw translateFsError(error, {
      given: request.given,
      action: request.action,
      roots: context.rootSpellings,
    });
  } finally {
    await handle.close();
  }
}

/** The seed calls this invalid_type; the catalog type is validation_error, and the message says why. */
async function isDirectory(
  context: WorkspaceContext,
  request: PathRequest,
  folder: ExistingPath,
): Promise<ToolError> {
  const entries = await listUsableEntries(context.root, folder.absolute, ENTRIES_SCANNED);
  const files = entries
    .filter((entry) => entry.kind === "file")
    .slice(0, FILES_SUGGESTED)
    .map((entry) => joinRelative(folder.relative, entry.name));
  const folders = entries.filter((entry) => entry.kind === "directory").map((entry) => `${entry.name}/`);
  return validationError({
    field: request.field,
    received: "a directory",
    expected: "the path of a file",
    message: `Invalid ${request.field} ${quotePath(request.given)}: it is a directory, not a file (invalid type)`,
    suggestion:
      files.length > 0
        ? `Give the path of a file inside it, such as ${listPaths(files)}.`
        : folders.length > 0
          ? `It has no files directly inside; its folders are: ${folders.slice(0, FILES_SUGGESTED * 2).join(", ")}.`
          : "It is empty; give the path of a file elsewhere.",
    examples: files,
  });
}

function notRegular(request: PathRequest): ToolError {
  return validationError({
    field: request.field,
    received: "a special file",
    expected: "the path of a regular file",
    message: `Invalid ${request.field} ${quotePath(request.given)}: it is not a regular file (a FIFO, socket or device)`,
    suggestion: "Give the path of an ordinary file; special files cannot be read here.",
  });
}

function tooLarge(request: PathRequest, limit: number, size: number | undefined): ToolError {
  const actual = size === undefined ? `more than ${limit} bytes` : `${size} bytes`;
  return validationError({
    field: request.field,
    received: actual,
    expected: `a file of at most ${limit} bytes`,
    message: `Invalid ${request.field} ${quotePath(request.given)}: the file is ${actual}, over the limit of ${limit} bytes`,
    suggestion: `Files over ${limit} bytes cannot be processed here; choose a smaller file. Retrying will not help.`,
  });
}
