import Database from "better-sqlite3";
import { RefusalError, type RecordCollection } from "../../domain/refusal.js";

/** True if `error` is a better-sqlite3 error with this result code name. */
export function isSqliteCode(error: unknown, code: string): boolean {
  return error instanceof Database.SqliteError && error.code === code;
}

/** The record an insert was writing, to name it in the refusal. */
export interface DuplicateTarget {
  readonly collection: RecordCollection;
  /** Its place in the request's list, for multi-record writes. */
  readonly index?: number;
  /** The record's id (or unique name). */
  readonly id: string;
  /**
   * Other unique columns, "table.column" as SQLite names them in the constraint message, with
   * the field name and the value that may clash there.
   */
  readonly secondary?: Readonly<Record<string, readonly [field: string, value: string]>>;
  /** What to report as the duplicate when the key is not the record's id (a version of an app). */
  readonly reported?: readonly [field: string, value: string];
}

/** Runs an insert; a unique-key clash becomes a duplicate_record refusal naming what clashed. */
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
    throw duplicateRefusal(target, (column) => message.includes(column), error);
  }
}

/**
 * The duplicate_record refusal for a unique-key clash: the secondary column the engine's error
 * names (`names` matches a "table.column" key), else what the target reports, else its id.
 */
export function duplicateRefusal(
  target: DuplicateTarget,
  names: (column: string) => boolean,
  cause: unknown,
): RefusalError {
  const clash = Object.entries(target.secondary ?? {}).find(([column]) => names(column));
  const [field, value] = clash?.[1] ?? target.reported ?? ["id", target.id];
  return new RefusalError(
    {
      kind: "duplicate_record",
      collection: target.collection,
      ...(target.index === undefined ? {} : { index: target.index }),
      id: target.id,
      field,
      value,
    },
    { cause },
  );
}
