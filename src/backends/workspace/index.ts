/** The sandboxed workspace: what the tools and the composition root import. */
export { createWorkspace } from "./workspace.js";
export type { FileInfo, PathOptions, ResolveOptions, TextFile, Workspace } from "./workspace.js";
export { WORKSPACE_DEFAULTS, WORKSPACE_LIMIT_RANGES, WorkspaceOptionsError } from "./options.js";
export type { WorkspaceLimits, WorkspaceOptions } from "./options.js";
export {
  WORKSPACE_OPERATIONS,
  WORKSPACE_OPERATION_DESCRIPTIONS,
  isWorkspaceOperation,
} from "./operations.js";
export type {
  FileAnalysis,
  FileChecksum,
  FileSummary,
  OperationResults,
  WorkspaceOperation,
} from "./operations.js";
export { SEARCH_LIMITS } from "./search.js";
export type { SearchOptions, SearchResult } from "./search.js";
export type { ExistingPath, MissingPart, MissingPath, ResolvedPath } from "./resolve-path.js";
export { FILE_TYPES } from "./file-types.js";
export type { FileType } from "./file-types.js";
