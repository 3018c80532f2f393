import { rateLimited } from "../errors/transient-errors.js";
import type { ToolError } from "../errors/tool-error.js";
import { validationError } from "../errors/validation-error.js";
import type { RateBudget } from "../limits/rate-budget.js";
import type { AnyToolDefinition } from "./tool-definition.js";

/** Each caller's tool budget, and who to tell when a call is refused for it. */
export interface ToolBudget {
  readonly budget: RateBudget;
  readonly onLimited: () => void;
}

/** The items (tool cost) the calls of one POST asked for so far, batch included. */
export interface PostItems {
  spent: number;
}

/** A call's cost: its tool's `cost` of its valid arguments, 1 by default. */
export function costOf(tool: AnyToolDefinition, args: Record<string, unknown>): number {
  return tool.cost === undefined ? 1 : tool.cost(args);
}

/**
 * Adds a call's cost to its POST's items; past `max` (MAX_ITEMS_PER_POST), the validation_error
 * naming the limit, so a batch of many big calls is refused instead of amplified.
 */
export function spendPostItems(
  postItems: PostItems | undefined,
  cost: number,
  max: number | undefined,
): ToolError | undefined {
  if (postItems === undefined || max === undefined) return undefined;
  postItems.spent += cost;
  if (postItems.spent <= max) return undefined;
  return validationError({
    field: "arguments",
    received: postItems.spent,
    expected: `at most ${max} items per POST in all (MAX_ITEMS_PER_POST), a batch's calls added up`,
    message: `This POST asks for ${postItems.spent} items in all (each call's paths or records, over the whole batch); the limit is ${max} (MAX_ITEMS_PER_POST)`,
    suggestion: `Send the calls in several POSTs of at most ${max} items each.`,
  });
}

/**
 * Spends a call's cost (its tool's `cost`, 1 by default) from `key`'s budget. Over it: the
 * rate_limited error to answer with (retryable, with the wait); undefined when the call may run.
 */
export async function spendToolBudget(
  toolBudget: ToolBudget | undefined,
  tool: AnyToolDefinition,
  args: Record<string, unknown>,
  key: string,
): Promise<ToolError | undefined> {
  if (toolBudget === undefined) return undefined;
  const cost = costOf(tool, args);
  const decision = await toolBudget.budget.take(key, cost);
  if (decision.allowed) return undefined;
  toolBudget.onLimited();
  return rateLimited({ retryAfterSeconds: decision.retryAfterSeconds });
}
