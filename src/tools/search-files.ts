import { z } from "zod";
import { SEARCH_LIMITS, type Workspace } from "../backends/workspace/index.js";
import { stepTo } from "../errors/recovery-steps.js";
import { ToolError } from "../errors/tool-error.js";
import { defineTool } from "./tool-definition.js";

const { minQueryLength, maxQueryLength, minResults, maxResults, defaultMaxResults } = SEARCH_LIMITS;

// Kept apart from the tool so its own recovery steps can target it without a circular type.
const searchFilesInput = z.object({
  query: z
    .string()
    .min(minQueryLength, { error: `Query must be at least ${minQueryLength} characters` })
    .max(maxQueryLength, { error: `Query must be at most ${maxQueryLength} characters` })
    .describe('Part of a file name, e.g. "sales" or ".csv"'),
  path: z
    .string()
    .default(".")
    .describe('Folder to search, relative to the workspace root, e.g. "data"; "." (default) is the root'),
  max_results: z
    .number()
    .int({ error: "max_results must be a whole number" })
    .min(minResults, { error: `max_results must be ${minResults}-${maxResults}` })
    .max(maxResults, { error: `max_results must be ${minResults}-${maxResults}` })
    .default(defaultMaxResults)
    .describe(
      `How many matches to return at most (${minResults}-${maxResults}, default ${defaultMaxResults})`,
    ),
});
const self = { name: "search_files", input: searchFilesInput };

/** search_files: file names containing a query, as a structured result (docs/patterns.md). */
export function searchFilesTool(workspace: Workspace) {
  return defineTool({
    ...self,
    title: "Search files",
    description:
      "Finds files in the workspace whose names contain `query` (case-insensitive), searching `path` and its " +
      'subfolders; paths are relative to the workspace root ("." is the root). Returns matches, count, ' +
      "truncated (more matches exist than max_results) and searched_path. Errors: validation_error for a query " +
      `shorter than ${minQueryLength} characters or max_results outside ${minResults}-${maxResults}; not_found when ` +
      "`path` does not exist (similar folder names are suggested, or a step searches the whole workspace); " +
      "permission_denied for paths outside the workspace.",
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    output: z.object({
      matches: z.array(z.string()),
      count: z.number().int(),
      truncated: z.boolean(),
      searched_path: z.string(),
      truncated_reason: z.enum(["max_results", "scan_limit"]).optional(),
      skipped_directories: z.array(z.string()).optional(),
    }),
    async handler({ query, path, max_results }, ctx) {
      try {
        return await workspace.search(query, path, max_results, { signal: ctx.signal });
      } catch (error) {
        throw withWholeWorkspaceStep(error, query, max_results);
      }
    },
  });
}

/**
 * A folder that does not exist and has no near name: searching the whole workspace for the same
 * query lists the files (and so the folders) that do exist.
 */
function withWholeWorkspaceStep(error: unknown, query: string, maxResults: number): unknown {
  if (!(error instanceof ToolError) || error.type !== "not_found") return error;
  if ((error.details.similar_matches ?? []).length > 0) return error;
  return error.with({
    details: {
      recovery_steps: [
        stepTo(self, {
          action: "Search the whole workspace instead",
          parameters: { query, path: ".", max_results: maxResults },
          description: "Its matches show which folders exist.",
        }),
      ],
    },
  });
}
