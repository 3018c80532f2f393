import { errorCode, property } from "../../errors/classifiers/error-chain.js";
import { permissionDenied } from "../../errors/permission-error.js";
import { ToolError } from "../../errors/tool-error.js";
import { withoutRoots } from "./root-paths.js";

/**
 * Turns a failure of a real file-system call into one that is safe to forward. EACCES/EPERM
 * become permission_denied on the path as the client gave it; every other error keeps its code
 * and syscall (so the error service still classifies it) but loses the absolute root from its
 * message, path and stack. The original is dropped rather than kept as `cause`: a cause is logged
 * and may be serialised by code we do not control.
 */
export function translateFsError(error: unknown, context: FsErrorContext): unknown {
  if (error instanceof ToolError) return error;
  const code = errorCode(error);
  if (code === "EACCES" || code === "EPERM") {
    return permissionDenied({
      action: context.action,
      resource: context.given,
      suggestion:
        "The server's own file permissions do not allow this; choose another path, or ask the operator to fix the permissions.",
      cause: scrubError(error, context.roots),
    });
  }
  return scrubError(error, context.roots);
}

/** What the client asked for, and which absolute roots must not leak. */
export interface FsErrorContext {
  /** The path as the client sent it. */
  readonly given: string;
  /** A verb for the message: "read", "search". */
  readonly action: string;
  /** The root as configured and as resolved (they differ when the root is reached through a symlink). */
  readonly roots: readonly string[];
}

/** A copy of `error` whose message, stack and path fields speak in workspace-relative paths. */
export function scrubError(error: unknown, roots: readonly string[]): unknown {
  if (!(error instanceof Error)) return error;
  const scrubbed = new Error(withoutRoots(error.message, roots));
  scrubbed.name = error.name;
  scrubbed.stack = error.stack === undefined ? undefined : withoutRoots(error.stack, roots);
  const copy = scrubbed as Error & Record<string, unknown>;
  for (const key of ["code", "errno", "syscall"]) {
    const value = property(error, key);
    if (value !== undefined) copy[key] = value;
  }
  for (const key of ["path", "dest"]) {
    const value = property(error, key);
    if (typeof value === "string") copy[key] = withoutRoots(value, roots);
  }
  return scrubbed;
}
