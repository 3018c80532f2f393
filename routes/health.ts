import { Router } from "express";
import type { ServerLifecycle } from "../src/lifecycle.js";

/** A dependency that readiness depends on (store, upstream clients, …). */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<boolean>;
}

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
    const results = await Promise.all(
      deps.checks.map(async (dependency) => {
        try {
          return { name: dependency.name, ok: await dependency.check() };
        } catch {
          return { name: dependency.name, ok: false };
        }
      }),
    );
    const checks = Object.fromEntries(results.map((result) => [result.name, result.ok ? "ok" : "failing"]));
    const draining = deps.lifecycle.draining;
    const ready = !draining && results.every((result) => result.ok);
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? "ready" : draining ? "draining" : "not_ready", checks });
  });
  return router;
}
