import { collectDefaultMetrics, type Registry } from "prom-client";

/**
 * prom-client's gauges named like counters: `promtool check metrics` rejects a `_total` suffix on a
 * gauge. Each is the sum of a gauge by type that stays (`sum(nodejs_active_handles)` gives the
 * same number), so nothing is lost.
 */
const MISNAMED_GAUGES = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
] as const;

/** The process and Node.js runtime metrics (CPU, memory, event loop lag, GC, handles). */
export function defaultMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_GAUGES) registry.removeSingleMetric(name);
}
