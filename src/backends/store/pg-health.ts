import type { CheckResult } from "../../health/readiness.js";
import { pgCode } from "./pg-transaction.js";

/** What the probe needs of the store. */
export interface PingedStore {
  ping(): Promise<void>;
}

/**
 * The PostgreSQL store's readiness probe: a round trip on a pooled connection. A failure names
 * PostgreSQL and how it failed (the error code only: no host, no credentials), so an operator
 * reading /ready knows which dependency to look at. The pool reconnects by itself, so the probe
 * turns healthy again as soon as the server answers.
 */
export function pgHealthProbe(store: PingedStore): () => Promise<CheckResult> {
  return async () => {
    try {
      await store.ping();
      return { ok: true };
    } catch (error) {
      const code = pgCode(error) ?? (error as { code?: unknown }).code;
      const detail = typeof code === "string" ? code : error instanceof Error ? error.name : "error";
      return {
        ok: false,
        reason: "unreachable",
        message: `PostgreSQL does not answer (${detail}): reads and writes fail until it is back; the server reconnects by itself.`,
      };
    }
  };
}
