/** The verdict of one readiness check: usable, or why not. */
export type CheckResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** A short code from a closed set ("no_space", "file_deleted"…), for logs and machines. */
      readonly reason: string;
      /** What is wrong and what an operator can do, in a sentence. */
      readonly message: string;
    };

/** A dependency that readiness depends on (the store, …). */
export interface ReadinessCheck {
  readonly name: string;
  /** Cheap: /ready and every scrape call it. A check that throws counts as failing. */
  check(): Promise<CheckResult>;
}

/** One evaluation of readiness: every check's verdict, and whether the server is stopping. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly stopping: boolean;
  readonly checks: readonly { readonly name: string; readonly result: CheckResult }[];
}

/** Runs every check (a throw is a failure named "check_failed") and combines them. */
export async function evaluateReadiness(
  checks: readonly ReadinessCheck[],
  stopping: boolean,
): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (dependency) => {
      try {
        return { name: dependency.name, result: await dependency.check() };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const result: CheckResult = { ok: false, reason: "check_failed", message };
        return { name: dependency.name, result };
      }
    }),
  );
  return { ready: !stopping && results.every(({ result }) => result.ok), stopping, checks: results };
}
