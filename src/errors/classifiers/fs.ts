import { conflict } from "../conflict-error.js";
import { permissionDenied } from "../permission-error.js";
import { ToolError } from "../tool-error.js";
import { validationError } from "../validation-error.js";
import { errorCode, property } from "./error-chain.js";

// Only errors from file-system calls: an ENOENT from spawn is a missing executable, our fault.
const FS_SYSCALLS = new Set([
  "access",
  "chmod",
  "chown",
  "close",
  "copyfile",
  "cp",
  "fstat",
  "fsync",
  "ftruncate",
  "futime",
  "lchown",
  "link",
  "lstat",
  "lutime",
  "mkdir",
  "mkdtemp",
  "open",
  "opendir",
  "read",
  "readdir",
  "readlink",
  "realpath",
  "rename",
  "rm",
  "rmdir",
  "scandir",
  "stat",
  "statfs",
  "symlink",
  "truncate",
  "unlink",
  "utime",
  "write",
]);

/**
 * File-system errors. Messages never repeat the path: it is absolute and belongs to the server.
 * ELOOP is permission_denied: a sandboxed workspace opens files without following symlinks, so
 * ELOOP there means "a symlink was refused", which is a policy, not a caller typo.
 */
export function classifyFs(error: unknown): ToolError | undefined {
  const code = errorCode(error);
  const syscall = property(error, "syscall");
  if (code === undefined || typeof syscall !== "string" || !FS_SYSCALLS.has(syscall)) return undefined;
  switch (code) {
    case "ENOENT":
    case "ENOTDIR":
      return new ToolError("not_found", "No file or directory exists at the given path", {
        suggestion: "Check the path; list the directory to see which files exist.",
        details: { resource_type: "file" },
        cause: error,
      });
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return permissionDenied({ action: "access", resource: "the file at the given path", cause: error });
    case "ELOOP":
      return permissionDenied({
        action: "follow a symbolic link at",
        resource: "the given path",
        suggestion: "Symbolic links are not followed here; use the path of the real file.",
        cause: error,
      });
    case "EISDIR":
      return validationError({
        field: "path",
        received: "a directory",
        expected: "the path of a file",
        message: "The path names a directory, but a file is needed",
        suggestion: "Give the path of a file inside that directory; list the directory to find one.",
        cause: error,
      });
    case "ENOTEMPTY":
      return validationError({
        field: "path",
        received: "a non-empty directory",
        expected: "an empty directory",
        message: "The directory is not empty",
        cause: error,
      });
    case "ENAMETOOLONG":
      return validationError({
        field: "path",
        expected: "a shorter path",
        message: "The path is too long",
        cause: error,
      });
    case "EEXIST":
      return new ToolError("already_exists", "A file or directory already exists at the given path", {
        details: { resource_type: "file" },
        cause: error,
      });
    case "EBUSY":
      return conflict({ message: "The file is busy", retryAfterSeconds: 1, cause: error });
    default:
      return undefined;
  }
}
