import { permissionDenied } from "../../errors/permission-error.js";
import type { ToolError } from "../../errors/tool-error.js";
import { validationError } from "../../errors/validation-error.js";

/** A client path being resolved: the words every refusal of it is written with. */
export interface PathRequest {
  /** The path exactly as the client sent it; errors repeat it, never the absolute path. */
  readonly given: string;
  /** The argument it came in: "path", "file_paths". */
  readonly field: string;
  /** What was to be done with it, as a verb: "read", "search", "access". */
  readonly action: string;
}

const SHOWN_CHARACTERS = 80;

/** The path quoted for a message, shortened so a huge argument does not become a huge error. */
export function quotePath(text: string): string {
  return JSON.stringify(text.length > SHOWN_CHARACTERS ? `${text.slice(0, SHOWN_CHARACTERS)}…` : text);
}

/** `"a", "b" or "c"`. */
export function listPaths(paths: readonly string[]): string {
  const quoted = paths.map(quotePath);
  const last = quoted.pop();
  if (last === undefined) return "";
  return quoted.length === 0 ? last : `${quoted.join(", ")} or ${last}`;
}

/**
 * permission_denied for a path that leads out of the workspace. `reason` says how (absolute,
 * "..", a symlink) without saying where: the target of a symlink is the server's business.
 */
export function escapeRefusal(request: PathRequest, reason: string, examples: readonly string[]): ToolError {
  return permissionDenied({
    action: request.action,
    resource: request.given,
    suggestion:
      `${quotePath(request.given)} ${reason}; only paths inside the workspace can be used, and retrying ` +
      `will not help. Use a path relative to the workspace root such as ${listPaths(examples)}.`,
  });
}

/** validation_error for a path that is not acceptable as written. */
export function malformedRefusal(
  request: PathRequest,
  reason: string,
  expected: string,
  corrected: string | undefined,
): ToolError {
  return validationError({
    field: request.field,
    received: request.given,
    expected,
    message: `Invalid ${request.field} ${quotePath(request.given)}: it ${reason}`,
    suggestion:
      corrected === undefined
        ? `Send ${expected}.`
        : `Send ${quotePath(corrected)} instead, with the same meaning.`,
    ...(corrected === undefined ? {} : { examples: [corrected] }),
  });
}
