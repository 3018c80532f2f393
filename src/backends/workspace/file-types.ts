import path from "node:path";

/** File types recognised by extension. */
export const FILE_TYPES = [
  "markdown",
  "text",
  "csv",
  "tsv",
  "json",
  "yaml",
  "toml",
  "xml",
  "html",
  "css",
  "javascript",
  "typescript",
  "python",
  "shell",
  "sql",
  "log",
  "pdf",
  "image",
  "archive",
  "unknown",
] as const;

/** A file type recognised by extension; "unknown" when the extension says nothing. */
export type FileType = (typeof FILE_TYPES)[number];

const BY_EXTENSION: Readonly<Record<string, FileType>> = {
  ".md": "markdown",
  ".markdown": "markdown",
  ".txt": "text",
  ".text": "text",
  ".csv": "csv",
  ".tsv": "tsv",
  ".json": "json",
  ".yaml": "yaml",
  ".yml": "yaml",
  ".toml": "toml",
  ".xml": "xml",
  ".html": "html",
  ".htm": "html",
  ".css": "css",
  ".js": "javascript",
  ".mjs": "javascript",
  ".cjs": "javascript",
  ".ts": "typescript",
  ".tsx": "typescript",
  ".mts": "typescript",
  ".py": "python",
  ".sh": "shell",
  ".bash": "shell",
  ".sql": "sql",
  ".log": "log",
  ".pdf": "pdf",
  ".png": "image",
  ".jpg": "image",
  ".jpeg": "image",
  ".gif": "image",
  ".webp": "image",
  ".svg": "image",
  ".zip": "archive",
  ".gz": "archive",
  ".tar": "archive",
};

/**
 * The type a file's extension announces. By extension only: content sniffing
 * would be a guess dressed as a fact; whether the bytes are text is reported separately.
 */
export function detectFileType(relativePath: string): FileType {
  return BY_EXTENSION[path.posix.extname(relativePath).toLowerCase()] ?? "unknown";
}
