import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import {
  DeploymentEngine,
  INTERRUPTED_REASON,
  UNREF_TIMERS,
  type EngineTimers,
} from "../../src/backends/store/deployment-engine.js";
import { DATA_FILE_NAME, SqliteStore } from "../../src/backends/store/sqlite-store.js";
import type { DeploymentStateStore } from "../../src/backends/store/store.js";
import type { DeploymentStatus } from "../../src/domain/deployments.js";
import { classifyError } from "../../src/errors/classify.js";
import { pollUntil } from "../helpers/deadline.js";
import { refusedWith } from "../helpers/refusal.js";
import { storeBackends } from "../helpers/store-backends.js";
import {
  deadline,
  openTestStore,
  reachStatus,
  sleep,
  startTestEngine,
  tempDataDir,
} from "../helpers/store-fixtures.js";

/** Timers the test fires by hand, recording the delay each was set for. */
class ManualTimers implements EngineTimers {
  readonly pending = new Map<number, { callback: () => void; ms: number }>();
  #next = 0;
  setTimeout(callback: () => void, ms: number): unknown {
    this.#next += 1;
    this.pending.set(this.#next, { callback, ms });
    return this.#next;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Fires the only pending timer and returns its delay. */
  fireOnly(): number {
    assert.equal(this.pending.size, 1, "exactly one timer should be pending");
    const [[handle, timer]] = [...this.pending.entries()] as [[number, { callback: () => void; ms: number }]];
    this.pending.delete(handle);
    timer.callback();
    return timer.ms;
  }
}

/** Waits until the fired step's write has landed (a database round trip, for a server store). */
function statusBecomes(store: DeploymentStateStore, id: string, status: DeploymentStatus): Promise<unknown> {
  return pollUntil(
    `deployment ${id} to become ${status}`,
    async () => ((await store.getDeployment(id))?.status === status ? true : undefined),
    5000,
    5,
  );
}

for (const backend of storeBackends()) {
  describe(`${backend.name}: deployment state machine`, () => {
    it("runs queued → in_progress → succeeded on the configured durations", async (t) => {
      const store = await backend.open(t);
      await startTestEngine(t, { store, queuedMs: 30, runMs: 60 });
      const started = Date.now();
      const deployment = await store.startDeployment("web-frontend", "staging", "1.1.0");
      assert.equal(deployment.status, "queued");
      assert.match(deployment.id, /^dep_[0-9a-z]+$/);

      const seen: DeploymentStatus[] = [];
      const done = await store.waitForDeployment(deployment.id, {
        signal: deadline(t, 3000),
        onChange: (change) => seen.push(change.status),
      });
      assert.deepEqual(seen, ["queued", "in_progress", "succeeded"]);
      assert.equal(done.status, "succeeded");
      assert.equal(done.reason, null);
      assert.ok(done.startedAt !== null && done.finishedAt !== null);
      assert.ok(done.createdAt <= done.startedAt && done.startedAt <= done.finishedAt);
      assert.ok(Date.now() - started >= 85, "must take about queuedMs + runMs");
      assert.equal(store.watcherCount, 1, "only the engine stays subscribed after the wait");
    });

    it("uses exactly queuedMs then runMs, through injectable timers", async (t) => {
      const store = await backend.open(t);
      const timers = new ManualTimers();
      await startTestEngine(t, { store, queuedMs: 1234, runMs: 5678, timers });
      const { id } = await store.startDeployment("api-gateway", "development");
      assert.equal(timers.fireOnly(), 1234);
      await statusBecomes(store, id, "in_progress");
      // The finish is scheduled by the change event, which follows the write's answer.
      await pollUntil(
        "the finish timer",
        () => Promise.resolve(timers.pending.size === 1 || undefined),
        5000,
        5,
      );
      assert.equal(timers.fireOnly(), 5678);
      await statusBecomes(store, id, "succeeded");
      assert.equal(timers.pending.size, 0);
    });

    it("fails versions ending in -bad under the default rule, with a reason", async (t) => {
      const store = await backend.open(t);
      await startTestEngine(t, { store });
      const { id } = await store.startDeployment("billing-service", "staging", "1.2.0-bad");
      const done = await store.waitForDeployment(id, { signal: deadline(t, 3000) });
      assert.equal(done.status, "failed");
      assert.match(done.reason ?? "", /1\.2\.0-bad.*known bad build/);
    });

    it("applies a custom failure rule", async (t) => {
      const store = await backend.open(t);
      await startTestEngine(t, {
        store,
        failureRule: (deployment) =>
          deployment.environment === "production" ? "production is frozen" : undefined,
      });
      const production = await store.startDeployment("web-frontend", "production");
      const staging = await store.startDeployment("web-frontend", "staging");
      const signal = deadline(t, 3000);
      const [prod, stage] = await Promise.all([
        store.waitForDeployment(production.id, { signal }),
        store.waitForDeployment(staging.id, { signal }),
      ]);
      assert.deepEqual([prod.status, prod.reason], ["failed", "production is frozen"]);
      assert.equal(stage.status, "succeeded");
    });

    it("deploys the latest version when none is given, and names bad input precisely", async (t) => {
      const store = await backend.open(t);
      assert.equal((await store.startDeployment("api-gateway", "staging")).version, "1.10.0");
      await assert.rejects(
        store.startDeployment("api-gateway", "production", "1.10"),
        refusedWith("unknown_version", (refusal) => {
          assert.equal(refusal.version, "1.10");
          assert.equal(refusal.available[0], "1.10.0", "highest first");
        }),
      );
      await assert.rejects(
        store.startDeployment("web-frontent", "production"),
        refusedWith("unknown_record", (refusal) => {
          assert.equal(refusal.collection, "applications");
          assert.ok(refusal.known.includes("web-frontend"));
        }),
      );
      await assert.rejects(
        store.startDeployment("web-frontend", "prod" as "production"),
        refusedWith("invalid_value", (refusal) => {
          assert.equal(refusal.field, "environment");
        }),
      );
      assert.equal((await store.listDeployments()).length, 1);
    });

    it("allows one deployment per app+environment: a second start is a conflict naming the current id", async (t) => {
      const store = await backend.open(t);
      await startTestEngine(t, { store });
      const first = await store.startDeployment("web-frontend", "production", "2.0.0");
      await assert.rejects(
        store.startDeployment("web-frontend", "production", "1.1.0"),
        refusedWith("deployment_in_progress", (refusal) => {
          assert.equal(refusal.active.id, first.id);
          assert.equal(refusal.active.version, "2.0.0");
        }),
      );
      assert.equal((await store.activeDeploymentFor("web-frontend", "production"))?.id, first.id);
      // Another environment, or another app, is a different slot.
      await store.startDeployment("web-frontend", "staging");
      await store.startDeployment("api-gateway", "production");

      await store.waitForDeployment(first.id, { signal: deadline(t, 3000) });
      assert.equal(await store.activeDeploymentFor("web-frontend", "production"), undefined);
      const second = await store.startDeployment("web-frontend", "production", "1.1.0");
      assert.notEqual(second.id, first.id);
    });

    it("cancels a queued deployment for good: the engine never starts it", async (t) => {
      const store = await backend.open(t);
      const engine = await startTestEngine(t, { store, queuedMs: 30, runMs: 30 });
      const { id } = await store.startDeployment("web-frontend", "staging");
      const cancelled = await store.cancelDeployment(id);
      assert.equal(cancelled.status, "cancelled");
      assert.ok(cancelled.finishedAt !== null);
      assert.equal(engine.pendingCount, 0);
      await sleep(100);
      assert.equal((await store.getDeployment(id))?.status, "cancelled");
      assert.equal(await store.activeDeploymentFor("web-frontend", "staging"), undefined);
    });

    it("cancels an in_progress deployment, and refuses to cancel a finished or unknown one", async (t) => {
      const store = await backend.open(t);
      await startTestEngine(t, { store, queuedMs: 10, runMs: 10_000 });
      const { id } = await store.startDeployment("web-frontend", "staging");
      const inProgress = await reachStatus(store, id, "in_progress");
      assert.equal(inProgress.status, "in_progress");
      assert.equal((await store.cancelDeployment(id)).status, "cancelled");

      await assert.rejects(
        store.cancelDeployment(id),
        refusedWith("deployment_finished", (refusal) => {
          assert.equal(refusal.deployment.id, id);
          assert.equal(refusal.deployment.status, "cancelled");
        }),
      );
      await assert.rejects(
        store.cancelDeployment(`${id}x`),
        refusedWith("unknown_record", (refusal) => {
          assert.equal(refusal.collection, "deployments");
          assert.deepEqual(refusal.known, [id]);
        }),
      );
    });

    it("moves a deployment only from the state it is in (compare-and-set) and only along the table", async (t) => {
      const store = await backend.open(t);
      const { id } = await store.startDeployment("web-frontend", "staging");
      await store.cancelDeployment(id);
      assert.equal(await store.transitionDeployment(id, "queued", "in_progress"), undefined);
      assert.equal((await store.getDeployment(id))?.status, "cancelled");
      await assert.rejects(
        store.transitionDeployment(id, "succeeded", "in_progress"),
        /Illegal deployment transition/,
      );
    });
  });

  describe(`${backend.name}: waiting for a deployment`, () => {
    it("stops on abort with the signal's reason, leaves the deployment running and no listener behind", async (t) => {
      const store = await backend.open(t);
      await startTestEngine(t, { store, queuedMs: 10_000 });
      const { id } = await store.startDeployment("web-frontend", "staging");
      const controller = new AbortController();
      const seen: DeploymentStatus[] = [];
      const waiting = store.waitForDeployment(id, {
        signal: controller.signal,
        onChange: (d) => seen.push(d.status),
      });
      await sleep(50);
      assert.equal(store.watcherCount, 2);
      controller.abort();
      const error = await waiting.then(
        () => assert.fail("the wait should have been aborted"),
        (reason: unknown) => reason,
      );
      assert.equal((error as Error).name, "AbortError");
      assert.equal(classifyError(error).type, "cancelled");
      assert.deepEqual(seen, ["queued"]);
      assert.equal(store.watcherCount, 1);
      assert.equal((await store.getDeployment(id))?.status, "queued");
    });

    it("rejects at once for an already aborted signal, and with not_found for an unknown id", async (t) => {
      const store = await backend.open(t);
      const { id } = await store.startDeployment("web-frontend", "staging");
      await assert.rejects(store.waitForDeployment(id, { signal: AbortSignal.abort() }), {
        name: "AbortError",
      });
      await assert.rejects(store.waitForDeployment("dep_nope"), refusedWith("unknown_record"));
      assert.equal(store.watcherCount, 0);
    });
  });
}

describe("SqliteStore deployments across connections", () => {
  it("enforces one-per-slot and the transition table in the database itself", async (t) => {
    const dir = tempDataDir(t);
    const store = openTestStore(t, { dataDir: dir });
    const active = await store.startDeployment("web-frontend", "staging");
    const finished = await store.startDeployment("web-frontend", "development");
    await store.cancelDeployment(finished.id);

    // A second connection, as another process or a buggy writer would have, bypassing the store.
    const raw = new Database(path.join(dir, DATA_FILE_NAME));
    t.after(() => raw.close());
    const insert = raw.prepare(
      `INSERT INTO deployments (id, app_name, environment, version, status, created_at, updated_at)
       VALUES (?, 'web-frontend', 'staging', '1.0.0', ?, '2025-01-01', '2025-01-01')`,
    );
    assert.throws(() => insert.run("dep_raw1", "in_progress"), { code: "SQLITE_CONSTRAINT_UNIQUE" });
    insert.run("dep_raw2", "succeeded");
    assert.throws(
      () => raw.prepare("UPDATE deployments SET status = 'in_progress' WHERE id = ?").run(finished.id),
      {
        code: "SQLITE_CONSTRAINT_TRIGGER",
      },
    );
    assert.throws(
      () => raw.prepare("UPDATE deployments SET status = 'succeeded' WHERE id = ?").run(active.id),
      {
        code: "SQLITE_CONSTRAINT_TRIGGER",
      },
    );
  });

  it("sees changes made through another connection by re-reading, without busy polling", async (t) => {
    const dir = tempDataDir(t);
    const watcher = openTestStore(t, { dataDir: dir, waitPollIntervalMs: 50 });
    const writer = openTestStore(t, { dataDir: dir });
    const { id } = await watcher.startDeployment("web-frontend", "staging");
    const seen: DeploymentStatus[] = [];
    const waiting = watcher.waitForDeployment(id, {
      signal: deadline(t, 3000),
      onChange: (d) => seen.push(d.status),
    });
    await writer.transitionDeployment(id, "queued", "in_progress");
    await sleep(120);
    await writer.transitionDeployment(id, "in_progress", "succeeded");
    assert.equal((await waiting).status, "succeeded");
    assert.deepEqual(seen, ["queued", "in_progress", "succeeded"]);
  });
});

describe("DeploymentEngine lifecycle", () => {
  it("resumes queued and interrupts in_progress deployments left by a previous run", async (t) => {
    const dir = tempDataDir(t);
    const before = SqliteStore.open({ dataDir: dir });
    const crashed = new DeploymentEngine({ store: before, queuedMs: 10, runMs: 60_000 });
    await crashed.start();
    const running = await before.startDeployment("web-frontend", "production");
    await reachStatus(before, running.id, "in_progress");
    crashed.stop();
    const waiting = await before.startDeployment("api-gateway", "staging");
    await before.close();

    const store = openTestStore(t, { dataDir: dir });
    const engine = new DeploymentEngine({ store, queuedMs: 30, runMs: 30 });
    t.after(() => {
      engine.stop();
    });
    const report = await engine.start();
    assert.deepEqual(report, { resumed: [waiting.id], interrupted: [running.id] });

    const interrupted = await store.getDeployment(running.id);
    assert.equal(interrupted?.status, "interrupted");
    assert.equal(interrupted.reason, INTERRUPTED_REASON);
    assert.equal(await store.activeDeploymentFor("web-frontend", "production"), undefined);
    assert.equal(
      (await store.waitForDeployment(waiting.id, { signal: deadline(t, 3000) })).status,
      "succeeded",
    );
  });

  it("reports a failing write through onError instead of crashing, and gives up after maxAttempts", async (t) => {
    const store = SqliteStore.open({ dataDir: ":memory:" });
    const errors: unknown[] = [];
    const engine = new DeploymentEngine({
      store,
      queuedMs: 10,
      maxAttempts: 2,
      retryDelayMs: 10,
      onError: (error) => errors.push(error),
    });
    t.after(() => {
      engine.stop();
    });
    await engine.start();
    await store.startDeployment("web-frontend", "staging");
    await store.close();
    for (let waited = 0; errors.length < 2 && waited < 3000; waited += 20) await sleep(20);
    await sleep(50);
    assert.equal(errors.length, 2, "one try and one retry, then no more");
    assert.match(String(errors[0]), /not open/);
    assert.equal(engine.pendingCount, 0);
  });

  it("leaves a step that failed every try stalled, and resumeStalled() finishes it for the time it has left", async (t) => {
    const store = openTestStore(t);
    // The store refuses the engine's writes while `refusing` is set, as a full or read-only disk does.
    let refusing = false;
    const flaky: DeploymentStateStore = {
      getDeployment: (id) => store.getDeployment(id),
      listActiveDeployments: () => store.listActiveDeployments(),
      watchDeployments: (listener) => store.watchDeployments(listener),
      transitionDeployment: (id, from, to, reason) =>
        refusing
          ? Promise.reject(Object.assign(new Error("disk I/O error"), { code: "SQLITE_IOERR_WRITE" }))
          : store.transitionDeployment(id, from, to, reason),
    };
    const errors: unknown[] = [];
    const engine = await startTestEngine(t, {
      store: flaky,
      queuedMs: 10,
      runMs: 400,
      maxAttempts: 2,
      retryDelayMs: 10,
      onError: (error) => errors.push(error),
    });
    assert.equal(await engine.resumeStalled(), 0, "nothing to resume");
    const { id } = await store.startDeployment("web-frontend", "staging");
    await reachStatus(store, id, "in_progress");
    refusing = true;
    for (let waited = 0; engine.stalledCount === 0 && waited < 3000; waited += 20) await sleep(20);
    assert.equal(engine.stalledCount, 1, "the finish failed both tries and stalled");
    assert.equal(errors.length, 2);
    assert.equal((await store.getDeployment(id))?.status, "in_progress");

    refusing = false;
    const finished = reachStatus(store, id, "succeeded");
    assert.equal(await engine.resumeStalled(), 1);
    assert.equal(engine.stalledCount, 0);
    assert.equal(
      (await finished).status,
      "succeeded",
      "an overdue finish runs at once, not after runMs again",
    );
    assert.equal(await engine.resumeStalled(), 0);
  });

  it("forgets a stalled deployment that was cancelled meanwhile", async (t) => {
    const store = openTestStore(t);
    let refusing = true;
    const flaky: DeploymentStateStore = {
      getDeployment: (id) => store.getDeployment(id),
      listActiveDeployments: () => store.listActiveDeployments(),
      watchDeployments: (listener) => store.watchDeployments(listener),
      transitionDeployment: (id, from, to, reason) =>
        refusing ? Promise.reject(new Error("disk full")) : store.transitionDeployment(id, from, to, reason),
    };
    const engine = await startTestEngine(t, {
      store: flaky,
      queuedMs: 10,
      maxAttempts: 1,
      onError: () => undefined,
    });
    const { id } = await store.startDeployment("web-frontend", "staging");
    for (let waited = 0; engine.stalledCount === 0 && waited < 3000; waited += 20) await sleep(20);
    assert.equal(engine.stalledCount, 1);
    await store.cancelDeployment(id);
    refusing = false;
    assert.equal(engine.stalledCount, 0, "the cancel's event cleared it");
    assert.equal(await engine.resumeStalled(), 0);
  });

  it("estimates the remaining time from its durations", (t) => {
    const store = openTestStore(t);
    const now = Date.parse("2025-02-03T12:00:01.000Z");
    const engine = new DeploymentEngine({ store, queuedMs: 2000, runMs: 5000, now: () => now });
    const base = {
      id: "dep_x",
      app: "web-frontend",
      environment: "staging",
      version: "1.0.0",
      reason: null,
      createdAt: "2025-02-03T12:00:00.000Z",
      finishedAt: null,
      updatedAt: "2025-02-03T12:00:00.000Z",
    } as const;
    assert.equal(engine.estimateRemainingMs({ ...base, status: "queued", startedAt: null }), 1000 + 5000);
    assert.equal(
      engine.estimateRemainingMs({ ...base, status: "in_progress", startedAt: "2025-02-03T12:00:00.500Z" }),
      4500,
    );
    assert.equal(engine.estimateRemainingMs({ ...base, status: "succeeded", startedAt: null }), 0);
  });

  it("uses unref'd timers by default and clears them on stop", async (t) => {
    const handle = UNREF_TIMERS.setTimeout(() => undefined, 60_000) as NodeJS.Timeout;
    assert.equal(handle.hasRef(), false);
    UNREF_TIMERS.clearTimeout(handle);

    const store = openTestStore(t);
    const engine = new DeploymentEngine({ store, queuedMs: 60_000 });
    await engine.start();
    await store.startDeployment("web-frontend", "staging");
    assert.equal(engine.pendingCount, 1);
    engine.stop();
    assert.equal(engine.pendingCount, 0);
    assert.equal(engine.running, false);
    assert.equal(store.watcherCount, 0);
  });
});
