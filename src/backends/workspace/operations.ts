import { createHash } from "node:crypto";
import { detectFileType, type FileType } from "./file-types.js";
import type { LoadedFile } from "./read-file.js";
import { describeContent } from "./summarize.js";
import { countCharacters, countLines, countWords, decodeText } from "./text-figures.js";

/** The operations process_files offers, in the order its enum lists them ("analyze" is the default). */
export const WORKSPACE_OPERATIONS = ["analyze", "checksum", "summarize"] as const;

/** One operation on one file. */
export type WorkspaceOperation = (typeof WORKSPACE_OPERATIONS)[number];

/** What each operation does, for the tool's description. */
export const WORKSPACE_OPERATION_DESCRIPTIONS: Readonly<Record<WorkspaceOperation, string>> = {
  analyze: "type by extension, size in bytes, lines, words, characters, encoding and SHA-256",
  checksum: "size in bytes and SHA-256 digest (works on binary files too)",
  summarize:
    "a one-paragraph structural summary: Markdown headings, CSV/TSV columns and row count, JSON top-level keys, or the first line of other text",
};

/** True if `value` names a supported operation (for values read from outside). */
export function isWorkspaceOperation(value: unknown): value is WorkspaceOperation {
  return typeof value === "string" && (WORKSPACE_OPERATIONS as readonly string[]).includes(value);
}

/** The "analyze" figures. Text counts are null for binary files: there is nothing honest to count. */
export interface FileAnalysis {
  readonly path: string;
  readonly type: FileType;
  readonly encoding: "utf-8" | "binary";
  readonly bytes: number;
  readonly lines: number | null;
  readonly words: number | null;
  readonly characters: number | null;
  readonly sha256: string;
  /** ISO 8601. */
  readonly modified: string;
}

/** The "checksum" result. */
export interface FileChecksum {
  readonly path: string;
  readonly algorithm: "sha256";
  readonly sha256: string;
  readonly bytes: number;
}

/** The "summarize" result. */
export interface FileSummary {
  readonly path: string;
  readonly type: FileType;
  readonly encoding: "utf-8" | "binary";
  readonly lines: number | null;
  readonly summary: string;
}

/** The result type of each operation. */
export interface OperationResults {
  readonly analyze: FileAnalysis;
  readonly checksum: FileChecksum;
  readonly summarize: FileSummary;
}

/** Figures of a loaded file for "analyze". */
export function analyzeFile(file: LoadedFile): FileAnalysis {
  const decoding = decodeText(file.content);
  const text = decoding.encoding === "utf-8" ? decoding.text : undefined;
  return {
    path: file.relative,
    type: detectFileType(file.relative),
    encoding: decoding.encoding,
    bytes: file.size,
    lines: text === undefined ? null : countLines(text),
    words: text === undefined ? null : countWords(text),
    characters: text === undefined ? null : countCharacters(text),
    sha256: sha256(file.content),
    modified: file.modified.toISOString(),
  };
}

/** Digest of a loaded file for "checksum". */
export function checksumFile(file: LoadedFile): FileChecksum {
  return { path: file.relative, algorithm: "sha256", sha256: sha256(file.content), bytes: file.size };
}

/** Structural summary of a loaded file for "summarize". */
export function summarizeFile(file: LoadedFile): FileSummary {
  const decoding = decodeText(file.content);
  const type = detectFileType(file.relative);
  return {
    path: file.relative,
    type,
    encoding: decoding.encoding,
    lines: decoding.encoding === "utf-8" ? countLines(decoding.text) : null,
    summary: describeContent(type, decoding, file.size),
  };
}

/** Each operation's implementation, keyed so that adding an operation without one fails to compile. */
export const OPERATIONS: { readonly [O in WorkspaceOperation]: (file: LoadedFile) => OperationResults[O] } = {
  analyze: analyzeFile,
  checksum: checksumFile,
  summarize: summarizeFile,
};

function sha256(content: Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}
