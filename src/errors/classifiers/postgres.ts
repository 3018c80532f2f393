import type { ExternalServiceKind } from "../catalog.js";
import { conflict } from "../conflict-error.js";
import type { ToolError } from "../tool-error.js";
import { externalServiceError } from "../transient-errors.js";
import { errorChain, errorCode, errorMessage, errorName } from "./error-chain.js";
import { networkKind } from "./network.js";

// SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html) that mean the server
// cannot serve now but may soon: a restart, a shutdown, a full connection table, a cancelled
// statement (statement_timeout).
const SQLSTATE_KINDS: Readonly<Record<string, ExternalServiceKind>> = {
  "57P01": "connection_failed", // admin_shutdown
  "57P02": "connection_failed", // crash_shutdown
  "57P03": "connection_failed", // cannot_connect_now (starting up, recovering)
  "53300": "server_error", // too_many_connections
  "53400": "server_error", // configuration_limit_exceeded
  "57014": "timeout", // query_canceled: statement_timeout fired
};
// Messages of the pg client itself, which carry no code.
const CLIENT_MESSAGES: readonly (readonly [RegExp, ExternalServiceKind])[] = [
  [/^timeout exceeded when trying to connect/i, "timeout"],
  [/^Query read timeout/i, "timeout"],
  [/^Connection terminated/i, "connection_failed"],
  [/not queryable/i, "connection_failed"],
];

/**
 * Failures of the PostgreSQL store (marked PostgresError by src/backends/store/pg-transaction.ts):
 * the server down or restarting, connections refused or dropped, the pool exhausted, a statement
 * timeout. They are external_service_error naming postgres, with the retry guidance of their
 * kind. A serialization failure or deadlock is a retryable conflict. Anything else (an SQL error
 * is our bug) is left to internal_error.
 */
export function classifyPostgres(error: unknown): ToolError | undefined {
  if (errorName(error) !== "PostgresError") return undefined;
  const code = errorCode(error);
  if (code === "40001" || code === "40P01") {
    return conflict({
      message: "The data store is busy with a conflicting write",
      retryAfterSeconds: 1,
      cause: error,
    });
  }
  const kind = postgresKind(error, code);
  return kind === undefined ? undefined : externalServiceError({ service: "postgres", kind, cause: error });
}

function postgresKind(error: unknown, code: string | undefined): ExternalServiceKind | undefined {
  if (code !== undefined) {
    if (code.startsWith("08")) return "connection_failed"; // connection_exception class
    const known = SQLSTATE_KINDS[code];
    if (known !== undefined) return known;
  }
  const network = networkKind(error);
  if (network !== undefined) return network;
  for (const link of errorChain(error)) {
    const message = errorMessage(link) ?? "";
    const match = CLIENT_MESSAGES.find(([pattern]) => pattern.test(message));
    if (match !== undefined) return match[1];
  }
  return undefined;
}
