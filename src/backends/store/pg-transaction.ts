import type pg from "pg";

/** PostgreSQL's SQLSTATE of a pg error (marked or not), if it has one. */
export function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Runs `work` in one transaction on one pooled connection: COMMIT if it resolves, ROLLBACK if it
 * rejects. A connection whose ROLLBACK fails is broken (the server went away) and is destroyed
 * rather than returned to the pool.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * A failure that came out of the PostgreSQL client (a server error with its SQLSTATE, a refused or
 * dropped connection, a pool timeout), marked so the error service can name PostgreSQL: a bare
 * ECONNREFUSED does not say which dependency refused.
 */
export class PostgresError extends Error {
  override readonly name = "PostgresError";
  /** The SQLSTATE, or the socket error's code (ECONNREFUSED…), if any. */
  readonly code: string | undefined;

  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    const code = (cause as { code?: unknown } | undefined)?.code;
    this.code = typeof code === "string" ? code : undefined;
  }
}

function rethrowMarked(error: unknown): never {
  throw error instanceof PostgresError ? error : new PostgresError(error);
}

/**
 * The pool, with every error of query() and connect() — and of the queries of the clients it
 * hands out — marked as a PostgresError. Only errors of the client are marked: refusals the store
 * throws itself pass through untouched.
 */
export function markPoolErrors(pool: pg.Pool): pg.Pool {
  return new Proxy(pool, {
    get(target, property) {
      if (property === "query") {
        return (...args: Parameters<pg.Pool["query"]>) =>
          (target.query as (...a: unknown[]) => Promise<unknown>)(...args).catch(rethrowMarked);
      }
      if (property === "connect") {
        return () => target.connect().then(markClientErrors, rethrowMarked);
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function markClientErrors(client: pg.PoolClient): pg.PoolClient {
  return new Proxy(client, {
    get(target, property) {
      if (property === "query") {
        return (...args: Parameters<pg.PoolClient["query"]>) =>
          (target.query as (...a: unknown[]) => Promise<unknown>)(...args).catch(rethrowMarked);
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
