import { Router } from "express";
import { evaluateReadiness, type ReadinessCheck } from "../src/health/readiness.js";
import type { ServerLifecycle } from "../src/lifecycle.js";

/**
 * GET /health: liveness — the process serves HTTP. GET /ready: readiness — not stopping and every
 * dependency usable; 503 otherwise, naming what is not ready and why.
 */
export function createHealthRouter(deps: {
  lifecycle: ServerLifecycle;
  checks: readonly ReadinessCheck[];
  version: string;
  startedAt: number;
}): Router {
  const router = Router();
  router.get("/health", (_req, res) => {
    res.json({
      status: "ok",
      version: deps.version,
      uptime_seconds: Math.round((Date.now() - deps.startedAt) / 1000),
    });
  });
  router.get("/ready", async (_req, res) => {
    const report = await evaluateReadiness(deps.checks, deps.lifecycle.stopping);
    const checks = Object.fromEntries(
      report.checks.map(({ name, result }) => [name, result.ok ? "ok" : "failing"]),
    );
    const problems = Object.fromEntries(
      report.checks.flatMap(({ name, result }) =>
        result.ok ? [] : [[name, { reason: result.reason, message: result.message }]],
      ),
    );
    const status = report.ready ? "ready" : report.stopping ? "draining" : "not_ready";
    res
      .status(report.ready ? 200 : 503)
      .json(Object.keys(problems).length > 0 ? { status, checks, problems } : { status, checks });
  });
  return router;
}
