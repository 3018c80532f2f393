import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import { errorCode } from "../../errors/classifiers/error-chain.js";
import { validationError } from "../../errors/validation-error.js";
import { detectFileType, type FileType } from "./file-types.js";
import {
  workspaceLimits,
  WorkspaceOptionsError,
  type WorkspaceLimits,
  type WorkspaceOptions,
} from "./options.js";
import {
  OPERATIONS,
  WORKSPACE_OPERATIONS,
  isWorkspaceOperation,
  type FileAnalysis,
  type FileChecksum,
  type FileSummary,
  type OperationResults,
  type WorkspaceOperation,
} from "./operations.js";
import { quotePath, type PathRequest } from "./path-refusals.js";
import { readFileBytes, statFile, type LoadedFile } from "./read-file.js";
import { resolvePath, type ResolvedPath } from "./resolve-path.js";
import { SEARCH_LIMITS, searchFiles, type SearchOptions, type SearchResult } from "./search.js";
import { decodeText } from "./text-figures.js";
import type { WorkspaceContext } from "./workspace-context.js";

/** How errors about a path name it: the argument it came in (default "path"). */
export interface PathOptions {
  readonly field?: string;
}

/** How `resolve` words its refusals. */
export interface ResolveOptions extends PathOptions {
  /** The verb of a permission_denied message (default "access"). */
  readonly action?: string;
}

/** `stat` of a regular file. */
export interface FileInfo {
  readonly path: string;
  readonly type: FileType;
  readonly bytes: number;
  /** ISO 8601. */
  readonly modified: string;
}

/** A UTF-8 text file's content. */
export interface TextFile {
  readonly path: string;
  readonly type: FileType;
  readonly bytes: number;
  readonly text: string;
}

/**
 * A folder clients may read through, and nothing outside it. Every path argument is a
 * client-supplied, workspace-relative path; every failure is a ToolError (or a file-system error
 * stripped of the absolute root) that speaks in those relative paths.
 */
export interface Workspace {
  readonly limits: WorkspaceLimits;
  /** A client path as a real path inside the root, or permission_denied / validation_error. */
  resolve(userPath: string, options?: ResolveOptions): Promise<ResolvedPath>;
  /** search_files: files whose name contains `query` under `userPath` ("." by default). */
  search(
    query: string,
    userPath?: string,
    maxResults?: number,
    options?: SearchOptions,
  ): Promise<SearchResult>;
  /** Size, time and type of a regular file. */
  stat(userPath: string, options?: PathOptions): Promise<FileInfo>;
  /** A UTF-8 text file, at most `limits.maxFileBytes` long. */
  readText(userPath: string, options?: PathOptions): Promise<TextFile>;
  /** process_files "analyze". */
  analyze(userPath: string, options?: PathOptions): Promise<FileAnalysis>;
  /** process_files "checksum". */
  checksum(userPath: string, options?: PathOptions): Promise<FileChecksum>;
  /** process_files "summarize". */
  summarize(userPath: string, options?: PathOptions): Promise<FileSummary>;
  /** One of WORKSPACE_OPERATIONS on one file (what process_files does per item). */
  runOperation<O extends WorkspaceOperation>(
    operation: O,
    userPath: string,
    options?: PathOptions,
  ): Promise<OperationResults[O]>;
}

/**
 * Opens the workspace at `options.root`. Fails at start-up (WorkspaceOptionsError, for the
 * operator) if the root is not a readable directory or a limit is out of range. The root is
 * resolved to its real path once: every containment check compares against it.
 */
export async function createWorkspace(options: WorkspaceOptions): Promise<Workspace> {
  const limits = workspaceLimits(options);
  const configured = path.resolve(options.root);
  let root: string;
  try {
    root = await realpath(configured);
    if (!(await stat(root)).isDirectory())
      throw new WorkspaceOptionsError([`root ${configured} is not a directory`]);
  } catch (error) {
    if (error instanceof WorkspaceOptionsError) throw error;
    throw new WorkspaceOptionsError([
      `root ${configured} cannot be opened (${errorCode(error) ?? String(error)})`,
    ]);
  }
  const context: WorkspaceContext = {
    root,
    rootSpellings: [...new Set([root, configured])],
    limits,
  };

  const request = (given: string, action: string, pathOptions: PathOptions = {}): PathRequest => ({
    given,
    field: pathOptions.field ?? "path",
    action,
  });
  const load = (given: string, pathOptions?: PathOptions) =>
    readFileBytes(context, request(given, "read", pathOptions));

  const workspace: Workspace = {
    limits,
    resolve: (userPath, resolveOptions = {}) =>
      resolvePath(context, request(userPath, resolveOptions.action ?? "access", resolveOptions)),
    search: (query, userPath = ".", maxResults = SEARCH_LIMITS.defaultMaxResults, searchOptions) =>
      searchFiles(context, query, userPath, maxResults, searchOptions),
    stat: async (userPath, pathOptions) => {
      const file = await statFile(context, request(userPath, "read", pathOptions));
      return {
        path: file.relative,
        type: detectFileType(file.relative),
        bytes: file.size,
        modified: file.modified.toISOString(),
      };
    },
    readText: async (userPath, pathOptions) => {
      const file = await load(userPath, pathOptions);
      const decoding = decodeText(file.content);
      if (decoding.encoding === "binary") {
        const field = pathOptions?.field ?? "path";
        throw validationError({
          field,
          received: "a binary file",
          expected: "the path of a UTF-8 text file",
          message: `Invalid ${field} ${quotePath(userPath)}: it is not UTF-8 text`,
          suggestion:
            "Binary files cannot be read as text; the checksum and analyze operations work on them.",
        });
      }
      return {
        path: file.relative,
        type: detectFileType(file.relative),
        bytes: file.size,
        text: decoding.text,
      };
    },
    analyze: async (userPath, pathOptions) => OPERATIONS.analyze(await load(userPath, pathOptions)),
    checksum: async (userPath, pathOptions) => OPERATIONS.checksum(await load(userPath, pathOptions)),
    summarize: async (userPath, pathOptions) => OPERATIONS.summarize(await load(userPath, pathOptions)),
    runOperation: async <O extends WorkspaceOperation>(
      operation: O,
      userPath: string,
      pathOptions?: PathOptions,
    ) => {
      // The tool's enum normally guarantees this; the check keeps a bad value from reaching OPERATIONS.
      if (!isWorkspaceOperation(operation)) {
        throw validationError({
          field: "operation",
          received: operation,
          expected: `one of: ${WORKSPACE_OPERATIONS.join(", ")}`,
          examples: [...WORKSPACE_OPERATIONS],
        });
      }
      const run: (file: LoadedFile) => OperationResults[O] = OPERATIONS[operation];
      return run(await load(userPath, pathOptions));
    },
  };
  return Object.freeze(workspace);
}
