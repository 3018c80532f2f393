import { Gauge, type Registry } from "prom-client";
import type { ReadinessReport } from "../health/readiness.js";

/**
 * mcp_server_ready (1 when /ready answers 200) and mcp_server_readiness_check{check} (1 while a
 * dependency's check passes), evaluated at scrape time as /ready evaluates them. A stopping
 * server is not ready but its checks may pass: alerts on the checks do not fire for a drain.
 */
export function readinessMetrics(registry: Registry, readiness: () => Promise<ReadinessReport>): void {
  // One evaluation serves both gauges of a scrape: prom-client collects them one after the other.
  let pending: Promise<ReadinessReport> | undefined;
  const evaluate = (): Promise<ReadinessReport> => {
    pending ??= readiness().finally(() => {
      pending = undefined;
    });
    return pending;
  };
  new Gauge({
    name: "mcp_server_ready",
    help: "1 when the server is ready (GET /ready answers 200), 0 while stopping or a dependency fails",
    registers: [registry],
    async collect() {
      this.set((await evaluate()).ready ? 1 : 0);
    },
  });
  new Gauge({
    name: "mcp_server_readiness_check",
    help: "1 while a readiness dependency (check) is usable, 0 while it fails",
    labelNames: ["check"],
    registers: [registry],
    async collect() {
      for (const { name, result } of (await evaluate()).checks) this.set({ check: name }, result.ok ? 1 : 0);
    },
  });
}
