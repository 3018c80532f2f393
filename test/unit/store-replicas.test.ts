import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import pg from "pg";
import { DeploymentEngine, INTERRUPTED_REASON } from "../../src/backends/store/deployment-engine.js";
import { PG_SCHEMA_VERSIONS } from "../../src/backends/store/pg-schema.js";
import type { PgStore } from "../../src/backends/store/pg-store.js";
import { SCHEMA_VERSIONS, type SchemaVersion } from "../../src/backends/store/schema.js";
import type { Deployment } from "../../src/backends/store/store.js";
import { lazyPostgres } from "../helpers/store-backends.js";
import { deadline } from "../helpers/store-fixtures.js";

const postgres = lazyPostgres();
const urls = new WeakMap<PgStore, string>();

/** Two replicas' stores on one fresh database, closed after the test. */
async function twoReplicas(t: TestContext): Promise<[PgStore, PgStore]> {
  const url = await postgres.freshDatabase();
  const first = await postgres.openStore(url, { waitPollIntervalMs: 50 });
  const second = await postgres.openStore(url, { waitPollIntervalMs: 50, seed: false });
  urls.set(first, url).set(second, url);
  t.after(() => Promise.all([first.close(), second.close()]));
  return [first, second];
}

/** An engine claiming for `owner` with a short lease; stopped after the test. */
async function replicaEngine(
  t: TestContext,
  store: PgStore,
  owner: string,
  durations: { queuedMs: number; runMs: number; leaseMs?: number },
): Promise<DeploymentEngine> {
  const engine = new DeploymentEngine({
    store,
    queuedMs: durations.queuedMs,
    runMs: durations.runMs,
    claims: { store, owner, leaseMs: durations.leaseMs ?? 300 },
  });
  t.after(() => {
    engine.stop();
  });
  await engine.start();
  return engine;
}

/** Every status change either replica made, in the order they committed, with the replica that made it. */
function recordChanges(stores: Readonly<Record<string, PgStore>>): (Deployment & { by: string })[] {
  const changes: (Deployment & { by: string })[] = [];
  for (const [by, store] of Object.entries(stores)) {
    store.watchDeployments((change) => changes.push({ ...change, by }));
  }
  return changes;
}

describe("postgres: one deployment engine per replica on a shared database", () => {
  it("runs every deployment exactly once, whichever replica queued it, and any replica sees the end", async (t) => {
    const [a, b] = await twoReplicas(t);
    const changes = recordChanges({ "replica-a": a, "replica-b": b });
    await replicaEngine(t, a, "replica-a", { queuedMs: 40, runMs: 80 });
    await replicaEngine(t, b, "replica-b", { queuedMs: 40, runMs: 80 });
    const started = [
      await a.startDeployment("web-frontend", "staging"),
      await b.startDeployment("web-frontend", "production"),
      await a.startDeployment("api-gateway", "staging"),
      await b.startDeployment("billing-service", "development", "1.2.0-bad"),
    ];
    const signal = deadline(t, 5000);
    // Waited for through the other replica: its re-read sees what the first one's engine did.
    const ends = await Promise.all(
      started.map((deployment, index) =>
        (index % 2 === 0 ? b : a).waitForDeployment(deployment.id, { signal }),
      ),
    );
    assert.deepEqual(
      ends.map((deployment) => deployment.status),
      ["succeeded", "succeeded", "succeeded", "failed"],
    );
    for (const deployment of started) {
      const steps = changes.filter((change) => change.id === deployment.id).map((change) => change.status);
      assert.equal(
        steps.filter((status) => status === "in_progress").length,
        1,
        `${deployment.id} started once`,
      );
      assert.equal(steps.filter((status) => status !== "queued" && status !== "in_progress").length, 1);
      // Only the claim holder's engine moved it.
      const owner = await claimOwner(a, deployment.id);
      const movers = changes.filter((change) => change.id === deployment.id && change.status !== "queued");
      assert.deepEqual([...new Set(movers.map((change) => change.by))], [owner]);
    }
  });

  it("carries on a queued deployment whose replica died, once its lease has passed", async (t) => {
    const [a, b] = await twoReplicas(t);
    const dying = await replicaEngine(t, a, "replica-a", { queuedMs: 600, runMs: 50, leaseMs: 300 });
    const { id } = await a.startDeployment("web-frontend", "staging");
    await waitFor(
      t,
      async () => (await claimOwner(b, id)) === "replica-a",
      "replica-a to claim the deployment",
    );
    // Death: no more renewals, no hand-over.
    dying.stop();
    await replicaEngine(t, b, "replica-b", { queuedMs: 600, runMs: 50, leaseMs: 300 });
    const done = await b.waitForDeployment(id, { signal: deadline(t, 5000) });
    assert.equal(done.status, "succeeded");
    assert.equal(await claimOwner(b, id), "replica-b");
  });

  it("marks interrupted a deployment whose replica died mid-run, instead of leaving it in_progress", async (t) => {
    const [a, b] = await twoReplicas(t);
    const dying = await replicaEngine(t, a, "replica-a", { queuedMs: 10, runMs: 60_000, leaseMs: 300 });
    const { id } = await a.startDeployment("web-frontend", "staging");
    await waitFor(
      t,
      async () => (await a.getDeployment(id))?.status === "in_progress",
      "the deployment to start",
    );
    dying.stop();
    const replacement = await replicaEngine(t, b, "replica-b", { queuedMs: 10, runMs: 60_000, leaseMs: 300 });
    const done = await b.waitForDeployment(id, { signal: deadline(t, 5000) });
    assert.deepEqual([done.status, done.reason], ["interrupted", INTERRUPTED_REASON]);
    assert.equal(replacement.pendingCount, 0);
    // The slot is free again, from either replica.
    assert.equal(await a.activeDeploymentFor("web-frontend", "staging"), undefined);
  });

  it("hands its deployments over at once on a clean stop, and the next replica finishes them", async (t) => {
    const [a, b] = await twoReplicas(t);
    const leaving = await replicaEngine(t, a, "replica-a", { queuedMs: 10, runMs: 300, leaseMs: 60_000 });
    const { id } = await a.startDeployment("web-frontend", "staging");
    await waitFor(
      t,
      async () => (await a.getDeployment(id))?.status === "in_progress",
      "the deployment to start",
    );
    await leaving.handOver();
    await replicaEngine(t, b, "replica-b", { queuedMs: 10, runMs: 300, leaseMs: 60_000 });
    const done = await b.waitForDeployment(id, { signal: deadline(t, 5000) });
    assert.equal(done.status, "succeeded", "a 60 s lease was not waited for: the claim was released");
  });

  it("splits a claim race between replicas: no deployment is held by two", async (t) => {
    const [a, b] = await twoReplicas(t);
    const ids: string[] = [];
    for (const env of ["development", "staging", "production"] as const) {
      for (const app of ["web-frontend", "api-gateway", "billing-service"]) {
        ids.push((await a.startDeployment(app, env, app === "billing-service" ? "1.0.0" : undefined)).id);
      }
    }
    const [first, second] = await Promise.all([
      a.claimDeployments("replica-a", 60_000),
      b.claimDeployments("replica-b", 60_000),
    ]);
    const held = [...first, ...second].map((claim) => claim.deployment.id).sort();
    assert.deepEqual(held, [...ids].sort(), "every deployment claimed once");
    assert.deepEqual(
      await b.claimDeployments(
        "replica-b",
        60_000,
        first.map((claim) => claim.deployment.id),
      ),
      [],
    );
  });
});

/** Who holds the deployment's claim, read straight from the database. */
async function claimOwner(store: PgStore, id: string): Promise<string | null> {
  const url = urls.get(store);
  assert.ok(url !== undefined);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ claimed_by: string | null }>(
      "SELECT claimed_by FROM deployments WHERE id = $1",
      [id],
    );
    return result.rows[0]?.claimed_by ?? null;
  } finally {
    await client.end();
  }
}

/** Polls `check` every 20 ms until it holds; fails naming `what` after 5 s. */
async function waitFor(t: TestContext, check: () => Promise<boolean>, what: string): Promise<void> {
  const signal = deadline(t, 5000);
  while (!(await check())) {
    if (signal.aborted) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("postgres: schema and sample data shared by replicas", () => {
  it("has the same schema versions as SQLite, number for number", () => {
    const versions = (list: readonly SchemaVersion[]) =>
      list.map(({ version, description }) => [version, description]);
    assert.deepEqual(versions(PG_SCHEMA_VERSIONS), versions(SCHEMA_VERSIONS));
  });

  it("migrates and seeds once when replicas start together on an empty database", async (t) => {
    const url = await postgres.freshDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => postgres.openStore(url)));
    t.after(() => Promise.all(stores.map((store) => store.close())));
    assert.equal(stores.filter((store) => store.seededNow).length, 1, "exactly one replica seeds");
    assert.deepEqual(await stores[3]?.listUserIds(), ["1", "2"]);
  });

  it("refuses a database written by a newer build, without touching it", async (t) => {
    const url = await postgres.freshDatabase();
    await (await postgres.openStore(url)).close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    t.after(() => client.end());
    await client.query("UPDATE schema_version SET version = 99");
    await assert.rejects(postgres.openStore(url), /schema version 99, newer than this build/);
    assert.equal((await client.query("SELECT version FROM schema_version")).rows[0]?.version, 99);
  });
});
