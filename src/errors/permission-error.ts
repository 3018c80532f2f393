import type { ToolStep } from "./recovery-steps.js";
import { ToolError } from "./tool-error.js";

/** What was attempted, on what, and which permission would have allowed it. */
export interface PermissionInput {
  readonly action: string;
  readonly resource: string;
  readonly required_permission?: string;
  readonly suggestion?: string;
  readonly recovery_steps?: readonly ToolStep[];
  readonly cause?: unknown;
}

/** A permission_denied error naming the action, resource and missing permission. */
export function permissionDenied(input: PermissionInput): ToolError {
  const suggestion =
    input.suggestion ??
    (input.required_permission === undefined
      ? "Check access permissions for this resource; retrying the same call will not help."
      : `This action requires '${input.required_permission}' permission; ask the user to grant it. Retrying will not help.`);
  return new ToolError("permission_denied", `Permission denied: cannot ${input.action} ${input.resource}`, {
    suggestion,
    details: {
      action: input.action,
      resource: input.resource,
      ...(input.required_permission === undefined ? {} : { required_permission: input.required_permission }),
      ...(input.recovery_steps ? { recovery_steps: input.recovery_steps } : {}),
    },
    cause: input.cause,
  });
}

/** Throws permission_denied unless `principal` holds `permission`. */
export function requirePermission(
  principal: { readonly permissions: ReadonlySet<string> },
  permission: string,
  target: { readonly action: string; readonly resource: string },
): void {
  if (!principal.permissions.has(permission)) {
    throw permissionDenied({ ...target, required_permission: permission });
  }
}
