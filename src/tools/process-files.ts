import { z } from "zod";
import {
  WORKSPACE_OPERATIONS,
  WORKSPACE_OPERATION_DESCRIPTIONS,
  type Workspace,
} from "../backends/workspace/index.js";
import { runBatch } from "../errors/batch.js";
import { defineTool } from "./tool-definition.js";

const MAX_FILES = 100;

/**
 * process_files (batch aggregation, docs/patterns.md): runs one operation on many files,
 * continuing past failures, and reports per-file results, per-file errors and a summary by type.
 */
export function processFilesTool(workspace: Workspace) {
  const operations = WORKSPACE_OPERATIONS.map(
    (operation) => `"${operation}" (${WORKSPACE_OPERATION_DESCRIPTIONS[operation]})`,
  ).join(", ");
  return defineTool({
    name: "process_files",
    title: "Process files",
    description:
      `Runs one operation on up to ${MAX_FILES} workspace files and reports every file: operations are ${operations}. ` +
      "Files that fail do not stop the others: the result has summary {total, succeeded, failed, success_rate}, " +
      "results (one per file that worked), errors (one per file that failed, with error_type, recoverable and a " +
      "suggestion) and error_summary. success is true when at least one file worked. Sends progress " +
      "notifications when the client asks for them, and stops when the call is cancelled.",
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    input: z.object({
      file_paths: z
        .array(z.string().min(1, { error: "a file path must not be empty" }))
        .min(1, { error: "file_paths must list at least one file" })
        .max(MAX_FILES, { error: `file_paths may list at most ${MAX_FILES} files; split the batch` })
        .describe('Workspace-relative file paths, e.g. ["README.md", "data/sales-2024.csv"]'),
      operation: z.enum(WORKSPACE_OPERATIONS).default("analyze").describe("What to do with each file"),
    }),
    batch: { item: z.looseObject({ path: z.string() }), itemKey: "file" },
    cost: ({ file_paths }) => file_paths.length,
    async handler({ file_paths, operation }, ctx) {
      let done = 0;
      const total = file_paths.length;
      await ctx.reportProgress(0, total, `Processing ${total} file${total === 1 ? "" : "s"}`);
      return runBatch(
        file_paths,
        async (path) => {
          try {
            return await workspace.runOperation(operation, path, { field: "file_paths" });
          } finally {
            done += 1;
            await ctx.reportProgress(done, total, `${done}/${total}: ${path}`);
          }
        },
        { key: (path) => path, itemKey: "file", signal: ctx.signal, concurrency: 4 },
      );
    },
  });
}
