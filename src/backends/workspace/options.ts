/** How a workspace is set up; the limits bound what one tool call can cost. */
export interface WorkspaceOptions {
  /** The folder clients may see; relative values are resolved against the process's cwd. */
  readonly root: string;
  /** Largest file, in bytes, that is read into memory (read, analyze, checksum, summarize). */
  readonly maxFileBytes?: number;
  /** Longest path, in characters, a client may send. */
  readonly maxPathLength?: number;
  /** Directory entries one search may look at before it stops and reports `truncated`. */
  readonly maxEntriesScanned?: number;
}

/** The limits in force, every one set. */
export interface WorkspaceLimits {
  readonly maxFileBytes: number;
  readonly maxPathLength: number;
  readonly maxEntriesScanned: number;
}

/**
 * Defaults sized for a folder of documents a model works on: 1 MiB is far more text than fits in
 * a model's context, and 10 000 entries keep a search well under a second on a local disk.
 */
export const WORKSPACE_DEFAULTS: WorkspaceLimits = Object.freeze({
  maxFileBytes: 1024 * 1024,
  maxPathLength: 1024,
  maxEntriesScanned: 10_000,
});

/** The accepted range of each limit, for the configuration schema and for `workspaceLimits`. */
export const WORKSPACE_LIMIT_RANGES: { readonly [K in keyof WorkspaceLimits]: readonly [number, number] } =
  Object.freeze({
    maxFileBytes: [1, 100 * 1024 * 1024] as const,
    // 4096 is Linux's PATH_MAX; below 16 not even "docs/guide.md" fits.
    maxPathLength: [16, 4096] as const,
    maxEntriesScanned: [1, 10_000_000] as const,
  });

/** Raised at start-up for bad options; it names every bad option (it is for the operator). */
export class WorkspaceOptionsError extends Error {
  override readonly name = "WorkspaceOptionsError";
  constructor(readonly problems: readonly string[]) {
    super(`Invalid workspace options: ${problems.join("; ")}`);
  }
}

/** The options' limits with defaults applied, checked once so a typo fails at start, not per call. */
export function workspaceLimits(options: WorkspaceOptions): WorkspaceLimits {
  const limits: WorkspaceLimits = {
    maxFileBytes: options.maxFileBytes ?? WORKSPACE_DEFAULTS.maxFileBytes,
    maxPathLength: options.maxPathLength ?? WORKSPACE_DEFAULTS.maxPathLength,
    maxEntriesScanned: options.maxEntriesScanned ?? WORKSPACE_DEFAULTS.maxEntriesScanned,
  };
  const problems: string[] = [];
  if (options.root.trim() === "") problems.push("root must name a directory");
  for (const key of Object.keys(WORKSPACE_LIMIT_RANGES) as (keyof WorkspaceLimits)[]) {
    const [min, max] = WORKSPACE_LIMIT_RANGES[key];
    const value = limits[key];
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${key} must be a whole number from ${min} to ${max}, got ${String(value)}`);
    }
  }
  if (problems.length > 0) throw new WorkspaceOptionsError(problems);
  return Object.freeze(limits);
}
