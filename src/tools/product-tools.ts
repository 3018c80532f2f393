import { closest } from "fastest-levenshtein";
import type { Logger } from "pino";
import type { ProductTools } from "../mcp/tool-dispatch.js";
import type { Metrics } from "../observability/metrics.js";

/** TEMPORARY until the tool runner lands: no product tools. */
export function createProductTools(_deps: { logger: Logger; metrics: Metrics }): ProductTools {
  return {
    list: () => [],
    has: () => false,
    call: () => Promise.reject(new Error("no tools")),
    nearest: (name, candidates) => (candidates.length > 0 ? [closest(name, [...candidates])] : []),
  };
}
