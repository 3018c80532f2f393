/** A dependency that readiness depends on (store, upstream clients, …). */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves true when usable; false or a rejection means not ready. */
  check(): Promise<boolean>;
}

/** Every check's answer by name ("ok" or "failing"), and whether all passed. */
export interface ReadinessReport {
  readonly ok: boolean;
  readonly checks: Readonly<Record<string, "ok" | "failing">>;
}

/** Runs every check at once; a check that throws counts as failing, never as an error. */
export async function checkReadiness(checks: readonly ReadinessCheck[]): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (dependency) => {
      try {
        return { name: dependency.name, ok: await dependency.check() };
      } catch {
        return { name: dependency.name, ok: false };
      }
    }),
  );
  return {
    ok: results.every((result) => result.ok),
    checks: Object.fromEntries(results.map((result) => [result.name, result.ok ? "ok" : "failing"])),
  };
}
