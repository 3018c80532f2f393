import assert from "node:assert/strict";
import { RefusalError, type DomainRefusal } from "../../src/domain/refusal.js";

/**
 * A predicate for assert.rejects: the store refused with a RefusalError of this kind, whose data
 * `check` may inspect further.
 */
export function refusedWith<K extends DomainRefusal["kind"]>(
  kind: K,
  check: (refusal: Extract<DomainRefusal, { kind: K }>) => void = () => undefined,
) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof RefusalError, `expected a RefusalError, got ${String(error)}`);
    assert.equal(error.refusal.kind, kind);
    check(error.refusal as Extract<DomainRefusal, { kind: K }>);
    return true;
  };
}
