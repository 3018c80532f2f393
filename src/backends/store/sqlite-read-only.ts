import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

// Bytes 18 and 19 of the file header are its write and read format versions: 2 is WAL, 1 legacy.
const FORMAT_VERSION_OFFSET = 18;
const WAL_FORMAT = 2;
const LEGACY_FORMAT = 1;

/**
 * Opens an existing data file read-only: reads work, every write rejects with SQLITE_READONLY.
 *
 * SQLite reads a WAL-mode file through its `-wal` and `-shm` files, creating them if missing, even
 * for a read-only connection. In a directory that cannot be written (read-only mount, `chattr +i`,
 * mode 0555) that creation fails, so unless both are already there (a killed writer leaves them;
 * SQLite then reads the log through them) the file is loaded into memory instead. SQLite's
 * `immutable=1` URI would avoid the copy, but better-sqlite3 is built without URI filenames.
 * A `-wal` that may hold commits but has no `-shm` cannot be merged into that copy: the open is
 * refused with a message that says what to do, rather than serving data without its last commits.
 */
export function openReadOnly(file: string, timeoutMs: number): Database.Database {
  const wal = `${file}-wal`;
  const shm = `${file}-shm`;
  if (isWritableDirectory(path.dirname(file)) || (existsSync(wal) && existsSync(shm))) {
    // A read-only open of a missing file must fail, not create one.
    return new Database(file, { readonly: true, fileMustExist: true, timeout: timeoutMs });
  }
  const walBytes = existsSync(wal) ? statSync(wal).size : 0;
  if (walBytes > 0) {
    throw new Error(
      `The data file ${file} cannot be opened read-only: its write-ahead log ` +
        `${path.basename(wal)} (${walBytes} bytes) may hold committed changes, and SQLite cannot ` +
        `read it without creating ${path.basename(shm)} in a directory that cannot be written. ` +
        `Open the store writable once and close it cleanly (that merges the log into the data ` +
        `file), then make the directory read-only again.`,
    );
  }
  return openInMemoryCopy(file);
}

function isWritableDirectory(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A read-only in-memory copy of the file. It stays true for the life of the process: no SQLite
 * connection can write a WAL-mode file whose directory refuses it a `-wal`. It costs the file's size
 * in memory.
 */
function openInMemoryCopy(file: string): Database.Database {
  const image = readFileSync(file);
  // An in-memory database cannot be in WAL mode (sqlite3_deserialize documents this fix): mark the
  // copy legacy. The file on disk is not touched.
  if (image[FORMAT_VERSION_OFFSET] === WAL_FORMAT && image[FORMAT_VERSION_OFFSET + 1] === WAL_FORMAT) {
    image.fill(LEGACY_FORMAT, FORMAT_VERSION_OFFSET, FORMAT_VERSION_OFFSET + 2);
  }
  return new Database(image, { readonly: true });
}
