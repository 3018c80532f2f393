import { parseArgs } from "node:util";
import { hashApiKey, newApiKey, newKeyId } from "./api-key.js";
import { KeyFileError, keyEntrySchema, readKeyFile, writeKeyFile, type KeyEntry } from "./key-file.js";
import { PRODUCT_PERMISSIONS } from "./permissions.js";

/**
 * `npm run keys -- create|list|revoke`: manages the API keys file (AUTH_API_KEYS_FILE). Only a
 * key's SHA-256 is written; `create` prints the key itself once, as the last line of its output,
 * so that a script can take it with `tail -n 1`. A running server picks the change up by itself.
 */
const USAGE = `Usage:
  npm run keys -- create --file FILE --principal NAME [--permissions a,b,...]
  npm run keys -- list   --file FILE
  npm run keys -- revoke --file FILE --id KEY_ID

Permissions the product's tools check: ${PRODUCT_PERMISSIONS.join(", ")}.
A key without permissions can call the read-only tools only.`;

class UsageError extends Error {}

interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** Runs one command; returns the process exit code. */
export async function runKeysCommand(argv: readonly string[], output: Output): Promise<number> {
  try {
    const { positionals, values } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        file: { type: "string" },
        principal: { type: "string" },
        permissions: { type: "string" },
        id: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help === true) {
      output.out(USAGE);
      return 0;
    }
    const file = values.file;
    if (file === undefined) throw new UsageError("--file is required");
    switch (positionals[0]) {
      case "create":
        await create(file, values.principal, values.permissions, output);
        return 0;
      case "list":
        await list(file, output);
        return 0;
      case "revoke":
        await revoke(file, values.id, output);
        return 0;
      default:
        throw new UsageError(
          positionals[0] === undefined ? "a command is required" : `unknown command ${positionals[0]}`,
        );
    }
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error)) {
      output.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof KeyFileError) {
      output.err(error.message);
      return 1;
    }
    throw error;
  }
}

async function create(
  file: string,
  principal: string | undefined,
  permissionList: string | undefined,
  output: Output,
) {
  if (principal === undefined) throw new UsageError("--principal is required");
  const permissions = (permissionList ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  const content = await readKeyFile(file, { missingIsEmpty: true });
  const taken = new Set(content.keys.map((key) => key.id));
  let id = newKeyId();
  while (taken.has(id)) id = newKeyId();
  const key = newApiKey(id);
  const parsed = keyEntrySchema.safeParse({
    id,
    sha256: hashApiKey(key),
    principal,
    permissions,
    created_at: new Date().toISOString(),
  });
  if (!parsed.success) {
    throw new UsageError(
      parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "),
    );
  }
  const known = new Set<string>(PRODUCT_PERMISSIONS);
  for (const permission of permissions.filter((entry) => !known.has(entry))) {
    output.err(`note: no product tool checks "${permission}" (fine for your own tools)`);
  }
  await writeKeyFile(file, { keys: [...content.keys, parsed.data] });
  output.out(
    `Created key ${id} for principal "${principal}" with ${permissions.length === 0 ? "no permissions (read-only tools only)" : `permissions ${permissions.join(", ")}`} in ${file}.`,
  );
  output.out(
    "Clients send it as: Authorization: Bearer <key>. It is shown only now; the file keeps its hash.",
  );
  output.out(key);
}

async function list(file: string, output: Output) {
  const { keys } = await readKeyFile(file);
  if (keys.length === 0) {
    output.out(`No keys in ${file}.`);
    return;
  }
  const rows = keys.map((key) => [
    key.id,
    key.principal,
    key.revoked_at === undefined ? "active" : `revoked ${key.revoked_at}`,
    key.created_at ?? "-",
    key.permissions.join(",") || "(read-only)",
  ]);
  const header = ["id", "principal", "status", "created", "permissions"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  for (const row of [header, ...rows]) {
    output.out(
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd(),
    );
  }
}

async function revoke(file: string, id: string | undefined, output: Output) {
  if (id === undefined) throw new UsageError("--id is required");
  const content = await readKeyFile(file);
  const key = content.keys.find((entry) => entry.id === id);
  if (key === undefined) {
    throw new KeyFileError(
      file,
      `no key with id ${id} (ids: ${content.keys.map((entry) => entry.id).join(", ") || "none"})`,
    );
  }
  if (key.revoked_at !== undefined) {
    output.out(`Key ${id} was already revoked at ${key.revoked_at}.`);
    return;
  }
  const revoked: KeyEntry = { ...key, revoked_at: new Date().toISOString() };
  await writeKeyFile(file, { keys: content.keys.map((entry) => (entry.id === id ? revoked : entry)) });
  output.out(
    `Revoked key ${id} of principal "${key.principal}". A running server refuses it from its next reload (at once when it watches the file).`,
  );
}
