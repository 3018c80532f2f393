import { conflict } from "../conflict-error.js";
import { permissionDenied } from "../permission-error.js";
import { ToolError } from "../tool-error.js";
import { errorCode, property } from "./error-chain.js";

// node:sqlite reports numeric extended result codes; better-sqlite3 reports their names.
const PRIMARY_CODE_NAMES: Readonly<Record<number, string>> = {
  5: "SQLITE_BUSY",
  6: "SQLITE_LOCKED",
  8: "SQLITE_READONLY",
  13: "SQLITE_FULL",
  19: "SQLITE_CONSTRAINT",
};
const EXTENDED_CODE_NAMES: Readonly<Record<number, string>> = {
  1555: "SQLITE_CONSTRAINT_PRIMARYKEY",
  2067: "SQLITE_CONSTRAINT_UNIQUE",
};

/** The SQLite result code name of a better-sqlite3 SqliteError or a node:sqlite error. */
export function sqliteCode(error: unknown): string | undefined {
  const code = errorCode(error);
  if (code?.startsWith("SQLITE_")) return code;
  const errcode = property(error, "errcode");
  if (code !== "ERR_SQLITE_ERROR" || typeof errcode !== "number") return undefined;
  return EXTENDED_CODE_NAMES[errcode] ?? PRIMARY_CODE_NAMES[errcode & 0xff];
}

/**
 * SQLite failures callers can act on. Unique-key violations are already_exists; BUSY/LOCKED are a
 * retryable conflict (another writer holds the lock); READONLY is permission_denied (writes are not
 * allowed on this server). FULL, CORRUPT, IOERR and any other constraint are left to internal_error:
 * the caller can do nothing, an operator must, and internal errors are logged at error level.
 */
export function classifySqlite(error: unknown): ToolError | undefined {
  const code = sqliteCode(error);
  if (code === undefined) return undefined;
  if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    return new ToolError("already_exists", "A record with the same key already exists", {
      details: { resource_type: "record" },
      cause: error,
    });
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return conflict({
      message: "The data store is busy with another write",
      retryAfterSeconds: 1,
      cause: error,
    });
  }
  if (code.startsWith("SQLITE_READONLY")) {
    return permissionDenied({
      action: "write to",
      resource: "the data store",
      suggestion: "The data store is read-only on this server: read operations still work, writes do not.",
      cause: error,
    });
  }
  return undefined;
}
