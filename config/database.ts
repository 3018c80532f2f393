import { z } from "zod";
import { wholeNumber } from "./env-values.js";

/** The variables of the shared PostgreSQL store; with DATABASE_URL unset, the embedded SQLite store serves. */
export const databaseShape = {
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\/\S+$/, "must be a postgres:// or postgresql:// URL")
    .optional(),
  DATABASE_POOL_MAX: wholeNumber(1, 1000).default(10),
  DATABASE_CONNECT_TIMEOUT_MS: wholeNumber(100, 600_000).default(5000),
  DATABASE_STATEMENT_TIMEOUT_MS: wholeNumber(100, 3_600_000).default(10_000),
  DATABASE_LEASE_MS: wholeNumber(1000, 3_600_000).default(15_000),
};

/** The part of Config these variables become. */
export type DatabaseConfig = Readonly<{
  /** Set: PostgreSQL (several replicas may share it); undefined: SQLite in DATA_DIR. */
  url: string | undefined;
  poolMax: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  /** How long a replica's claim on a deployment holds without renewal. */
  leaseMs: number;
}>;

/** Maps the parsed variables to their part of Config. */
export function databaseConfig(values: z.output<z.ZodObject<typeof databaseShape>>): DatabaseConfig {
  return Object.freeze({
    url: values.DATABASE_URL,
    poolMax: values.DATABASE_POOL_MAX,
    connectTimeoutMs: values.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: values.DATABASE_STATEMENT_TIMEOUT_MS,
    leaseMs: values.DATABASE_LEASE_MS,
  });
}
