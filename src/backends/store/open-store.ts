import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { resolve } from "node:path";
import type { Logger } from "pino";
import type { Config } from "../../../config/schema.js";
import type { CheckResult } from "../../health/readiness.js";
import type { EngineClaims } from "./deployment-engine-options.js";
import { pgHealthProbe } from "./pg-health.js";
import { PgStore } from "./pg-store.js";
import { sqliteHealthProbe } from "./sqlite-health.js";
import { SqliteStore } from "./sqlite-store.js";
import type { Store } from "./store.js";

/** The store the configuration asks for, and what runs beside it. */
export interface OpenedStore {
  readonly store: Store;
  /** The readiness check's name: "postgres" or "store" (the embedded file). */
  readonly checkName: string;
  readonly probe: () => Promise<CheckResult>;
  /** Set for a shared store: the engine claims the deployments it runs. */
  readonly claims: EngineClaims | undefined;
}

/** DATABASE_URL set: PostgreSQL, shared by replicas; unset: the embedded SQLite file. */
export async function openConfiguredStore(config: Config, logger: Logger): Promise<OpenedStore> {
  const onListenerError = (error: unknown) => {
    logger.error({ err: error }, "deployment listener failed");
  };
  const { database } = config;
  if (database.url !== undefined) {
    const store = await PgStore.open({
      url: database.url,
      poolMax: database.poolMax,
      connectTimeoutMs: database.connectTimeoutMs,
      statementTimeoutMs: database.statementTimeoutMs,
      onListenerError,
      onPoolError: (error) => {
        logger.warn({ err: error }, "an idle PostgreSQL connection failed; the pool replaces it");
      },
    });
    // Unique per process: a restarted replica is a new owner, and takes its old claims over as expired.
    const owner = `${hostname()}-${String(process.pid)}-${randomBytes(3).toString("hex")}`;
    return {
      store,
      checkName: "postgres",
      probe: pgHealthProbe(store),
      claims: { store, owner, leaseMs: database.leaseMs },
    };
  }
  const store = SqliteStore.open({
    dataDir: resolve(config.store.dataDir),
    readOnly: config.store.readOnly,
    ...(config.store.maxBytes === undefined ? {} : { maxSizeBytes: config.store.maxBytes }),
    onListenerError,
  });
  // A read-only store refuses writes by design: only whether it still answers matters.
  const probe = config.store.readOnly ? readsOnlyProbe(store) : sqliteHealthProbe(store);
  return { store, checkName: "store", probe, claims: undefined };
}

function readsOnlyProbe(store: SqliteStore): () => Promise<CheckResult> {
  return async () => {
    try {
      await store.ping();
      return { ok: true };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return {
        ok: false,
        reason: "unreachable",
        message: `The store does not answer reads (${typeof code === "string" ? code : "closed"}).`,
      };
    }
  };
}
