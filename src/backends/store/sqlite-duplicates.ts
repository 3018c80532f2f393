import Database from "better-sqlite3";
import { alreadyExists } from "../../errors/conflict-error.js";

/** True if `error` is a better-sqlite3 error with this result code name. */
export function isSqliteCode(error: unknown, code: string): boolean {
  return error instanceof Database.SqliteError && error.code === code;
}

/** The record an insert was writing, to name it in already_exists. */
export interface DuplicateTarget {
  readonly resource_type: string;
  readonly identifier: string;
  /** Other unique columns ("table.column" as SQLite names them) and the value that clashed there. */
  readonly secondary?: Readonly<Record<string, string>>;
  readonly suggestion?: string;
}

/** Runs an insert; a unique-key clash becomes already_exists naming the value that clashed. */
export function insertOrDuplicate(insert: () => unknown, target: DuplicateTarget): void {
  try {
    insert();
  } catch (error) {
    if (
      !isSqliteCode(error, "SQLITE_CONSTRAINT_PRIMARYKEY") &&
      !isSqliteCode(error, "SQLITE_CONSTRAINT_UNIQUE")
    ) {
      throw error;
    }
    const message = error instanceof Error ? error.message : "";
    const clash = Object.entries(target.secondary ?? {}).find(([column]) => message.includes(column));
    throw alreadyExists({
      resource_type: target.resource_type,
      identifier: clash === undefined ? target.identifier : clash[1],
      ...(target.suggestion === undefined || clash !== undefined ? {} : { suggestion: target.suggestion }),
      cause: error,
    });
  }
}
