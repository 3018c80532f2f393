import { z } from "zod";
import { stepTo, type StepTarget, type ToolStep } from "../errors/recovery-steps.js";
import type { ToolError } from "../errors/tool-error.js";
import { validationError } from "../errors/validation-error.js";

/*
 * Cursor pagination for the listing tools (list_users, list_items, list_projects,
 * list_deployments). A cursor is opaque to the model: it names the tool, the filters it was
 * made under and the sort key of the last record shown, so the next page starts after that
 * record even if records were added meanwhile, and a cursor used with other filters is refused
 * instead of silently skipping records.
 */

/** The arguments every listing tool takes besides its filters. */
export const pageArguments = {
  limit: z.number().int().min(1).max(100).default(20).describe("Records per page, 1 to 100 (default 20)"),
  cursor: z
    .string()
    .min(1)
    .max(1000)
    .optional()
    .describe("next_cursor from the previous page, with the same filters; omit it for the first page"),
};

/** What a page says about what follows. */
export const pageFields = {
  count: z.number().int().min(0).describe("Records on this page"),
  next_cursor: z
    .string()
    .nullable()
    .describe("Pass as cursor, with the same filters, for the next page; null on the last page"),
};

/** Where a page starts: after the record with this key, or at the beginning. */
export interface PageStart {
  readonly afterKey: string | undefined;
}

interface CursorBody {
  readonly tool: string;
  readonly filters: string;
  readonly after: string;
}

/** The cursor pointing after `lastKey` under these filters. */
export function encodeCursor(tool: string, filters: object, lastKey: string): string {
  const body: CursorBody = { tool, filters: JSON.stringify(filters), after: lastKey };
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

/**
 * Reads a cursor given to `tool` under `filters`; a cursor this listing did not hand out is a
 * validation_error with a step to start again from the first page.
 */
export function readCursor<I extends z.ZodObject>(
  target: StepTarget<I>,
  filters: object,
  cursor: string | undefined,
  firstPage: z.input<I>,
): PageStart {
  if (cursor === undefined) return { afterKey: undefined };
  const body = parseBody(cursor);
  if (body?.tool === target.name && body.filters === JSON.stringify(filters)) return { afterKey: body.after };
  throw foreignCursor(target, cursor, firstPage, body !== undefined && body.tool === target.name);
}

/** One page of `records` in ascending `keyOf` order, and the key to continue after, if more follow. */
export function pageOf<T>(
  records: readonly T[],
  keyOf: (record: T) => string,
  start: PageStart,
  limit: number,
): { readonly records: T[]; readonly lastKey: string | undefined } {
  const sorted = records
    .map((record) => ({ record, key: keyOf(record) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const after = start.afterKey;
  const from = after === undefined ? 0 : sorted.findIndex(({ key }) => key > after);
  const page = from < 0 ? [] : sorted.slice(from, from + limit);
  const more = from >= 0 && from + limit < sorted.length;
  return { records: page.map(({ record }) => record), lastKey: more ? page.at(-1)?.key : undefined };
}

/** The next step after a page that has more: the same call with the cursor. */
export function nextPageStep<I extends z.ZodObject>(
  target: StepTarget<I>,
  parameters: z.input<I>,
  records: string,
): ToolStep {
  return stepTo(target, {
    action: `List the next page of ${records}`,
    parameters,
    description: "Only if what you need was not on this page.",
  });
}

function parseBody(cursor: string): CursorBody | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const { tool, filters, after } = parsed as Record<string, unknown>;
    return typeof tool === "string" && typeof filters === "string" && typeof after === "string"
      ? { tool, filters, after }
      : undefined;
  } catch {
    return undefined;
  }
}

function foreignCursor<I extends z.ZodObject>(
  target: StepTarget<I>,
  cursor: string,
  firstPage: z.input<I>,
  otherFilters: boolean,
): ToolError {
  return validationError({
    field: "cursor",
    received: cursor,
    expected: `a next_cursor that ${target.name} returned, used with the same filters`,
    message: otherFilters
      ? `Invalid cursor: it was made for other filters of ${target.name}`
      : `Invalid cursor: ${target.name} did not hand out this cursor`,
    suggestion: `Start again from the first page: call ${target.name} without cursor, then follow next_cursor.`,
    recovery_steps: [stepTo(target, { action: `List the first page again`, parameters: firstPage })],
  });
}
