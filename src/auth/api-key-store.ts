import { watch, type FSWatcher } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import type { Logger } from "pino";
import type { Principal } from "../tools/tool-definition.js";
import { keyIdOf, keyMatches } from "./api-key.js";
import type { CredentialRefusal } from "./auth-failure.js";
import { parseKeyFile, readKeyFileText, type KeyEntry } from "./key-file.js";

interface LoadedKey {
  readonly hash: Buffer;
  readonly revoked: boolean;
  /** Built once per load: a request only looks it up. */
  readonly principal: Principal;
}

/** An accepted key: the principal it stands for. */
export interface KeyAcceptance {
  readonly ok: true;
  readonly principal: Principal;
}

/** How long file events are gathered before one reload (editors write in several steps). */
const RELOAD_DEBOUNCE_MS = 100;

/**
 * The API keys of AUTH_API_KEYS_FILE, held in memory by key id. The file is re-read when it
 * changes (the folder is watched, not the file, so that a file replaced by rename — as the keys
 * CLI writes it — is seen too) or on `reload()` (SIGHUP). A file that turns invalid is reported and the keys loaded
 * before stay in force, so a typo never locks every client out.
 */
export class ApiKeyStore {
  private keys: ReadonlyMap<string, LoadedKey> = new Map();
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private reloading: Promise<void> = Promise.resolve();
  /** The file's text as last loaded. */
  private text = "";

  private constructor(
    readonly file: string,
    private readonly logger: Logger,
  ) {}

  /** Reads the file once; throws a KeyFileError naming the problem when it is missing or invalid. */
  static async open(options: { file: string; logger: Logger }): Promise<ApiKeyStore> {
    const store = new ApiKeyStore(resolve(options.file), options.logger);
    store.text = await readKeyFileText(store.file);
    store.keys = toLoaded(parseKeyFile(store.file, store.text).keys);
    return store;
  }

  /** Keys in force (not revoked). */
  get size(): number {
    let count = 0;
    for (const key of this.keys.values()) if (!key.revoked) count += 1;
    return count;
  }

  /** Checks a presented key: constant-time comparison of hashes, revoked keys refused. */
  verify(token: string): KeyAcceptance | CredentialRefusal {
    const id = keyIdOf(token);
    if (id === undefined)
      return refusal("the API key is malformed", "token has the key prefix but not its shape");
    const key = this.keys.get(id);
    if (key === undefined) return refusal("the API key is unknown or revoked", `no key with id ${id}`);
    if (!keyMatches(token, key.hash))
      return refusal("the API key is unknown or revoked", `wrong secret for key ${id}`);
    if (key.revoked) return refusal("the API key is unknown or revoked", `key ${id} is revoked`);
    return { ok: true, principal: key.principal };
  }

  /** Re-reads the file now; concurrent calls are serialised. Never throws: problems are logged. */
  reload(why = "reload requested"): Promise<void> {
    this.reloading = this.reloading.then(() => this.readAgain(why));
    return this.reloading;
  }

  /** Starts watching the file's folder; the watcher never keeps the process alive. */
  watch(): void {
    if (this.watcher !== undefined) return;
    try {
      this.watcher = watch(dirname(this.file), { persistent: false }, () => {
        clearTimeout(this.debounce);
        this.debounce = setTimeout(() => void this.reload("file changed"), RELOAD_DEBOUNCE_MS);
        this.debounce.unref();
      });
      this.watcher.on("error", (error) => {
        this.logger.error(
          { err: error, file: this.file },
          "watching the API keys file failed; send SIGHUP to reload",
        );
      });
    } catch (error) {
      this.logger.error(
        { err: error, file: this.file },
        "cannot watch the API keys file; send SIGHUP to reload",
      );
    }
  }

  close(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
    this.watcher = undefined;
  }

  private async readAgain(why: string): Promise<void> {
    try {
      const text = await readFile(this.file, "utf8");
      // Folder events also fire for other files and for writes that change nothing.
      if (text === this.text) return;
      const next = toLoaded(parseKeyFile(this.file, text).keys);
      const change = describeChange(this.keys, next);
      this.keys = next;
      this.text = text;
      this.logger.info({ file: basename(this.file), why, keys: this.size, ...change }, "API keys reloaded");
    } catch (error) {
      this.logger.error(
        { err: error, file: this.file, why, keys: this.size },
        "API keys file not reloaded; the keys loaded before stay in force",
      );
    }
  }
}

function refusal(description: string, detail: string): CredentialRefusal {
  return { ok: false, reason: "invalid", description, detail };
}

function toLoaded(entries: readonly KeyEntry[]): ReadonlyMap<string, LoadedKey> {
  return new Map(
    entries.map((entry) => [
      entry.id,
      {
        hash: Buffer.from(entry.sha256, "hex"),
        revoked: entry.revoked_at !== undefined,
        principal: Object.freeze({
          id: entry.principal,
          permissions: new Set(entry.permissions),
          authenticatedBy: "api_key" as const,
          credentialId: entry.id,
        }),
      },
    ]),
  );
}

/** Which key ids appeared, disappeared or were revoked since the last load. */
function describeChange(before: ReadonlyMap<string, LoadedKey>, after: ReadonlyMap<string, LoadedKey>) {
  return {
    added: [...after.keys()].filter((id) => !before.has(id)),
    removed: [...before.keys()].filter((id) => !after.has(id)),
    revoked: [...after.entries()]
      .filter(([id, key]) => key.revoked && before.get(id)?.revoked === false)
      .map(([id]) => id),
  };
}
