import type { WorkspaceLimits } from "./options.js";

/** What every workspace operation needs: where the root really is, and the limits. */
export interface WorkspaceContext {
  /** The root's real path (symlinks resolved): containment is checked against it. */
  readonly root: string;
  /** Every spelling of the root (as configured and real) that must never reach a client. */
  readonly rootSpellings: readonly string[];
  readonly limits: WorkspaceLimits;
}
