import type { ErrorType } from "./catalog.js";
import { classifyError } from "./classify.js";
import { success, type ComponentFailure, type ResultMetadata, type SuccessResult } from "./handler-result.js";

/** An optional part that is missing from a degraded result, and what that costs the reader. */
export interface DegradationWarning {
  readonly component: string;
  readonly message: string;
  readonly impact: string;
  readonly error_type: ErrorType;
}

/** One part of a composite result. */
export interface ComponentSpec<T> {
  /** A required part failing fails the whole call; an optional one degrades it. */
  readonly required: boolean;
  readonly load: () => Promise<T>;
  /** What the reader loses without it, e.g. "7-day forecast unavailable, only current conditions shown". */
  readonly impact?: string;
}

type Loaded<S> = S extends ComponentSpec<infer T> ? T : never;

/** The data of a composite result: each part that loaded, under its name. */
export type ComponentData<S extends Record<string, ComponentSpec<unknown>>> = {
  [K in keyof S]?: Loaded<S[K]>;
};

/** The seed's completeness metadata: what was asked for, what came back, and the share. */
export function completenessMetadata(
  requested: readonly string[],
  returned: readonly string[],
): ResultMetadata {
  const share = requested.length === 0 ? 1 : returned.length / requested.length;
  return {
    components_requested: [...requested],
    components_returned: [...returned],
    completeness: Math.round(share * 100) / 100,
  };
}

/**
 * Loads the parts of a composite result at once (graceful degradation, docs/patterns.md). A
 * required part that fails is rethrown, so the runner classifies it like any other failure;
 * optional parts that fail become warnings and mark the result degraded. Only parts you include are requested: leave out
 * the ones the caller did not ask for.
 */
export async function collectComponents<S extends Record<string, ComponentSpec<unknown>>>(
  specs: S,
): Promise<SuccessResult<ComponentData<S>>> {
  const entries = Object.entries(specs);
  const names = entries.map(([name]) => name);
  const settled = await Promise.allSettled(entries.map(([, spec]) => spec.load()));
  const data: Record<string, unknown> = {};
  const warnings: DegradationWarning[] = [];
  const failures: ComponentFailure[] = [];
  for (const [index, [name, spec]] of entries.entries()) {
    const outcome = settled[index];
    if (!outcome) continue;
    if (outcome.status === "fulfilled") {
      data[name] = outcome.value;
      continue;
    }
    if (spec.required) throw outcome.reason;
    const classified = classifyError(outcome.reason);
    failures.push({ component: name, error: outcome.reason });
    warnings.push({
      component: name,
      // Internal failures stay masked here as everywhere; the runner logs the original.
      message:
        classified.type === "internal_error"
          ? `${name} is unavailable because of an unexpected error`
          : classified.message,
      impact: spec.impact ?? `${name} is missing from the result`,
      error_type: classified.type,
    });
  }
  return success(data as ComponentData<S>, {
    degraded: warnings.length > 0,
    warnings,
    metadata: completenessMetadata(names, Object.keys(data)),
    failures,
  });
}
