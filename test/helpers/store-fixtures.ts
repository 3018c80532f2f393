import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestContext } from "node:test";
import {
  DeploymentEngine,
  type DeploymentEngineOptions,
} from "../../src/backends/store/deployment-engine.js";
import { IN_MEMORY, SqliteStore, type SqliteStoreOptions } from "../../src/backends/store/sqlite-store.js";
import type { Deployment } from "../../src/backends/store/store.js";
import type { DeploymentStatus } from "../../src/domain/deployments.js";

/** A new temporary data directory, removed after the test. */
export function tempDataDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), "resilient-mcp-store-"));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Opens a store (in memory unless dataDir is given) that is closed after the test. */
export function openTestStore(t: TestContext, options: Partial<SqliteStoreOptions> = {}): SqliteStore {
  const store = SqliteStore.open({ dataDir: IN_MEMORY, ...options });
  t.after(() => store.close());
  return store;
}

/** A started engine with short durations, stopped after the test. */
export async function startTestEngine(
  t: TestContext,
  options: Omit<DeploymentEngineOptions, "queuedMs" | "runMs"> & { queuedMs?: number; runMs?: number },
): Promise<DeploymentEngine> {
  const engine = new DeploymentEngine({ queuedMs: 30, runMs: 60, ...options });
  t.after(() => {
    engine.stop();
  });
  await engine.start();
  return engine;
}

/**
 * An AbortSignal that fails a wait after `ms` with a TimeoutError. Its timer is ref'd on purpose:
 * the engine's timers are unref'd, and without one ref'd handle the test process would see an
 * empty event loop and end the test while a deployment is still running.
 */
export function deadline(t: TestContext, ms: number): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new DOMException(`deadline of ${ms} ms passed`, "TimeoutError"));
  }, ms);
  t.after(() => {
    clearTimeout(timer);
  });
  return controller.signal;
}

/** Resolves after `ms` on a ref'd timer. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Resolves when deployment `id` reaches `status` (as an event of `store`); fails after `ms`. The
 * ref'd timeout also keeps the process alive while the engine's unref'd timers run.
 */
export function reachStatus(
  store: Pick<SqliteStore, "watchDeployments">,
  id: string,
  status: DeploymentStatus,
  ms = 3000,
): Promise<Deployment> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`deployment ${id} did not reach ${status} within ${ms} ms`));
    }, ms);
    const stop = store.watchDeployments((change) => {
      if (change.id !== id || change.status !== status) return;
      clearTimeout(timer);
      stop();
      resolve(change);
    });
  });
}
