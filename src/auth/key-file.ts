import { randomBytes } from "node:crypto";
import { chmod, readFile, rename, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { z } from "zod";

/** One API key as the keys file stores it: never the key, only its hash. */
export const keyEntrySchema = z.object({
  id: z.string().regex(/^k[a-z2-7]{10}$/, { error: 'expected an id made by "npm run keys -- create"' }),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: "expected 64 lowercase hex characters" }),
  principal: z
    .string()
    .regex(/^[A-Za-z0-9._@-]{1,128}$/, { error: 'expected a plain principal id such as "alice"' }),
  permissions: z.array(
    z.string().regex(/^[a-z][a-z0-9_.*-]*$/, { error: 'expected permissions like "deploy.staging"' }),
  ),
  created_at: z.string().optional(),
  /** Set by `keys revoke`: the key stays listed, and is refused. */
  revoked_at: z.string().optional(),
});

/** The keys file: `{"keys": [...]}`, ids unique. */
export const keyFileSchema = z
  .object({ keys: z.array(keyEntrySchema) })
  .refine((file) => new Set(file.keys.map((key) => key.id)).size === file.keys.length, {
    error: "two keys have the same id",
  });

export type KeyEntry = z.output<typeof keyEntrySchema>;
export type KeyFile = z.output<typeof keyFileSchema>;

/** Raised for a keys file that cannot be read or does not validate; the message says which and why. */
export class KeyFileError extends Error {
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`API keys file ${file}: ${problem}`, options);
    this.name = "KeyFileError";
  }
}

/** Parses the text of a keys file, naming the first problems with their place in the file. */
export function parseKeyFile(file: string, text: string): KeyFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new KeyFileError(
      file,
      `not valid JSON (${error instanceof Error ? error.message : "parse error"})`,
    );
  }
  const parsed = keyFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "file"}: ${issue.message}`);
    throw new KeyFileError(file, problems.join("; "));
  }
  return parsed.data;
}

/** The text of a keys file; a missing file is an error unless `missingIsEmpty`. */
export async function readKeyFileText(
  file: string,
  options: { missingIsEmpty?: boolean } = {},
): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && options.missingIsEmpty === true) return '{"keys": []}';
    const problem =
      code === "ENOENT"
        ? "no such file (create it with `npm run keys -- create --file <file> --principal <name>`; see docs/auth.md)"
        : `cannot be read (${code ?? "error"}; the server's user needs read access)`;
    throw new KeyFileError(file, problem, { cause: error });
  }
}

/** Reads and validates a keys file. */
export async function readKeyFile(
  file: string,
  options: { missingIsEmpty?: boolean } = {},
): Promise<KeyFile> {
  return parseKeyFile(file, await readKeyFileText(file, options));
}

/**
 * Writes the keys file atomically (a temporary file renamed over it), so a server watching it
 * never reads half of it. A new file is readable by its owner only; an existing file keeps its
 * mode (an operator may have opened it to a container's user: it holds hashes, never keys).
 */
export async function writeKeyFile(file: string, content: KeyFile): Promise<void> {
  const mode = await stat(file).then(
    (existing) => existing.mode & 0o777,
    () => 0o600,
  );
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode });
  await chmod(temporary, mode);
  await rename(temporary, file);
}
