import { Router } from "express";
import type { ServerLifecycle } from "../src/lifecycle.js";
import { checkReadiness, type ReadinessCheck } from "../src/readiness.js";

/**
 * GET /health: liveness — the process serves HTTP. GET /ready: readiness — not draining and every
 * dependency usable; 503 otherwise, naming what is not ready.
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
    const { ok, checks } = await checkReadiness(deps.checks);
    const draining = deps.lifecycle.draining;
    const ready = !draining && ok;
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? "ready" : draining ? "draining" : "not_ready", checks });
  });
  return router;
}
