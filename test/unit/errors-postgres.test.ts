import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { startPostgres, type PostgresInstance } from "../../scripts/cluster/postgres-instance.js";
import { PgStore } from "../../src/backends/store/pg-store.js";
import { markPoolErrors } from "../../src/backends/store/pg-transaction.js";
import { classifyError } from "../../src/errors/classify.js";
import { closedPort } from "../helpers/fault-server.js";

/** Real failures of a real PostgreSQL, as the store's pool reports them, and what the error service makes of them. */

let postgres: PostgresInstance;

async function failure(action: () => Promise<unknown>): Promise<unknown> {
  return action().then(
    () => assert.fail("expected the action to fail"),
    (error: unknown) => error,
  );
}

function markedPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool({ connectionString: postgres.url, ...config });
  pool.on("error", () => undefined);
  return markPoolErrors(pool);
}

function expectPostgres(error: unknown, kind: string): void {
  const classified = classifyError(error);
  assert.equal(classified.type, "external_service_error", String(error));
  assert.equal(classified.details.service, "postgres");
  assert.equal(classified.details.kind, kind);
}

describe("classifyError: PostgreSQL failures", { timeout: 60_000 }, () => {
  before(async () => {
    postgres = await startPostgres({ maxConnections: 4 });
  });
  after(async () => {
    await postgres.stop();
  });

  it("a refused connection (nothing listening) is connection_failed for postgres, not an anonymous socket error", async () => {
    const port = await closedPort();
    const error = await failure(() =>
      PgStore.open({ url: `postgres://postgres@127.0.0.1:${String(port)}/x` }),
    );
    expectPostgres(error, "connection_failed");
  });

  it("statement_timeout (57014) is a timeout", async () => {
    const pool = markedPool({ statement_timeout: 50 });
    try {
      const error = await failure(() => pool.query("SELECT pg_sleep(2)"));
      assert.equal((error as { code?: string }).code, "57014");
      expectPostgres(error, "timeout");
    } finally {
      await pool.end();
    }
  });

  it("a server that stops answering (its backend frozen) times out on the client instead of hanging", async () => {
    const pool = markedPool({ max: 1, query_timeout: 300 });
    const pid = (await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid ?? 0;
    assert.ok(pid > 0);
    process.kill(pid, "SIGSTOP");
    try {
      const error = await failure(() => pool.query("SELECT 1"));
      assert.match(String(error), /Query read timeout/);
      expectPostgres(error, "timeout");
    } finally {
      process.kill(pid, "SIGCONT");
      await pool.end();
    }
  });

  it("a backend terminated by an administrator (57P01) is connection_failed", async () => {
    const pool = markedPool({ max: 1 });
    const admin = markedPool({ max: 1 });
    try {
      const pid = (await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid;
      const error = await failure(() =>
        Promise.all([
          pool.query("SELECT pg_sleep(5)"),
          admin.query("SELECT pg_terminate_backend($1)", [pid]),
        ]),
      );
      assert.equal((error as { code?: string }).code, "57P01");
      expectPostgres(error, "connection_failed");
    } finally {
      await Promise.all([pool.end(), admin.end()]);
    }
  });

  it("too many connections (53300) is a server_error, and an SQL bug stays internal", async () => {
    const pool = markedPool({ max: 10 });
    try {
      const held = await Promise.allSettled(Array.from({ length: 8 }, () => pool.connect()));
      const refused = held.find((outcome) => outcome.status === "rejected");
      assert.ok(refused !== undefined, "more clients than max_connections must be refused");
      assert.equal((refused.reason as { code?: string }).code, "53300");
      expectPostgres(refused.reason, "server_error");
      for (const outcome of held) if (outcome.status === "fulfilled") outcome.value.release();
      const bug = await failure(() => pool.query("SELECT * FROM no_such_table"));
      assert.equal(classifyError(bug).type, "internal_error");
    } finally {
      await pool.end();
    }
  });
});
