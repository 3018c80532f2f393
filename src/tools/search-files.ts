import { z } from "zod";
import { SEARCH_LIMITS, type Workspace } from "../backends/workspace/index.js";
import { defineTool } from "./tool-definition.js";

/** search_files (Pattern 1): file names containing a query, as a structured result. */
export function searchFilesTool(workspace: Workspace) {
  const { minQueryLength, maxQueryLength, minResults, maxResults, defaultMaxResults } = SEARCH_LIMITS;
  return defineTool({
    name: "search_files",
    title: "Search files",
    description:
      "Finds files in the workspace whose names contain `query` (case-insensitive), searching `path` and its " +
      'subfolders; paths are relative to the workspace root ("." is the root). Returns matches, count, ' +
      "truncated (more matches exist than max_results) and searched_path. Errors: validation_error for a query " +
      `shorter than ${minQueryLength} characters or max_results outside ${minResults}-${maxResults}; not_found when ` +
      "`path` does not exist (similar folder names are suggested); permission_denied for paths outside the workspace.",
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    input: z.object({
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
    }),
    output: z.object({
      matches: z.array(z.string()),
      count: z.number().int(),
      truncated: z.boolean(),
      searched_path: z.string(),
      truncated_reason: z.enum(["max_results", "scan_limit"]).optional(),
      skipped_directories: z.array(z.string()).optional(),
    }),
    handler: ({ query, path, max_results }, ctx) =>
      workspace.search(query, path, max_results, { signal: ctx.signal }),
  });
}
