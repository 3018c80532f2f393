import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HealthMonitor } from "../../src/health/health-monitor.js";
import type { CheckResult } from "../../src/health/readiness.js";
import { evaluateReadiness } from "../../src/health/readiness.js";
import { createLogger } from "../../src/observability/logger.js";
import { LogCapture } from "../helpers/log-capture.js";

function monitor(results: (CheckResult | Error)[]) {
  const logs = new LogCapture();
  let healthy = 0;
  const queue = [...results];
  const health = new HealthMonitor({
    name: "store",
    probe: () => {
      const next = queue.shift() ?? { ok: true };
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    intervalMs: 60_000,
    logger: createLogger({ level: "debug", destination: logs }),
    onHealthy: () => {
      healthy += 1;
    },
  });
  return { health, logs, healthyCalls: () => healthy };
}

const full: CheckResult = { ok: false, reason: "no_space", message: "no room" };

describe("HealthMonitor", () => {
  it("answers from its last probe, logging each change of verdict once", async () => {
    const { health, logs, healthyCalls } = monitor([{ ok: true }, full, full, { ok: true }]);
    await health.start();
    health.stop();
    assert.deepEqual(await health.check(), { ok: true });
    await health.probeNow();
    await health.probeNow();
    assert.deepEqual(await health.check(), full);
    assert.equal(
      logs.find({ msg: "store is failing: not ready", reason: "no_space", level: "warn" }).length,
      1,
    );
    await health.probeNow();
    assert.deepEqual(await health.check(), { ok: true });
    assert.equal(logs.find({ msg: "store recovered: ready", was: "no_space", level: "info" }).length, 1);
    assert.equal(healthyCalls(), 2, "onHealthy after each passing probe");
  });

  it("counts a probe that throws as failing, and logs a new reason while failing", async () => {
    const { health, logs } = monitor([new Error("boom"), full]);
    await health.probeNow();
    assert.deepEqual(await health.check(), { ok: false, reason: "probe_failed", message: "boom" });
    await health.probeNow();
    assert.equal(logs.find({ msg: "store is failing: not ready" }).length, 2);
  });

  it("joins a probe already running instead of starting a second", async () => {
    let calls = 0;
    const health = new HealthMonitor({
      name: "store",
      probe: async () => {
        calls += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { ok: true };
      },
      intervalMs: 60_000,
      logger: createLogger({ level: "silent" }),
    });
    await Promise.all([health.probeNow(), health.probeNow(), health.probeNow()]);
    assert.equal(calls, 1);
  });
});

describe("evaluateReadiness", () => {
  it("is ready only when not stopping and every check passes; a throwing check fails by name", async () => {
    const passing = { name: "store", check: () => Promise.resolve<CheckResult>({ ok: true }) };
    const throwing = { name: "cache", check: () => Promise.reject(new Error("down")) };
    assert.equal((await evaluateReadiness([passing], false)).ready, true);
    assert.equal((await evaluateReadiness([passing], true)).ready, false);
    const report = await evaluateReadiness([passing, throwing], false);
    assert.equal(report.ready, false);
    assert.deepEqual(report.checks[1], {
      name: "cache",
      result: { ok: false, reason: "check_failed", message: "down" },
    });
  });
});
