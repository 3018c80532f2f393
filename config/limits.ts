import type { z } from "zod";
import { wholeNumber } from "./env-values.js";

const MIB = 1024 * 1024;

/**
 * The variables that keep one caller from starving the others: rate limits per principal (per
 * client address when anonymous), fair session shares, and bounds on the work and memory one
 * request or session can claim. 0 turns a rate limit off. docs/reliability.md explains each.
 */
export const limitsShape = {
  RATE_LIMIT_WINDOW_MS: wholeNumber(100, 3_600_000).default(1000),
  RATE_LIMIT_REQUESTS: wholeNumber(0, 1_000_000).default(500),
  RATE_LIMIT_TOOL_COST: wholeNumber(0, 10_000_000).default(2000),
  MAX_SESSIONS_PER_PRINCIPAL: wholeNumber(1, 1_000_000).default(100),
  SESSION_MAX_LIFETIME_MS: wholeNumber(1000, 604_800_000).default(86_400_000),
  MAX_ITEMS_PER_POST: wholeNumber(1, 1_000_000).default(1000),
  MAX_CONCURRENT_CALLS_PER_PRINCIPAL: wholeNumber(0, 100_000).default(8),
  MAX_RESULT_BYTES: wholeNumber(1024, 1024 * MIB).default(4 * MIB),
  SSE_EVENT_HISTORY_BYTES: wholeNumber(1024, 1024 * MIB).default(MIB),
  SSE_EVENT_HISTORY_TOTAL_BYTES: wholeNumber(1024, 16 * 1024 * MIB).default(64 * MIB),
};

/** The part of Config these variables become. */
export type LimitsConfig = Readonly<{
  /** The window both rate limits count in. */
  rateWindowMs: number;
  /** HTTP requests per principal per window; 0: unlimited. */
  requestsPerWindow: number;
  /** Tool cost (a call's declared cost, e.g. process_files: its paths) per principal per window; 0: unlimited. */
  toolCostPerWindow: number;
  maxSessionsPerPrincipal: number;
  sessionMaxLifetimeMs: number;
  /** Tool items (the cost of every tools/call) one POST may carry in all, batch included. */
  maxItemsPerPost: number;
  /** Tool calls one principal may have running at once, the rest queued; 0: unlimited. */
  maxConcurrentCallsPerPrincipal: number;
  /** JSON bytes of one tool call's result; past it, a validation_error naming the limit. */
  maxResultBytes: number;
  eventHistoryBytes: number;
  eventHistoryTotalBytes: number;
}>;

/** Maps the parsed variables to their part of Config. */
export function limitsConfig(values: z.output<z.ZodObject<typeof limitsShape>>): LimitsConfig {
  return Object.freeze({
    rateWindowMs: values.RATE_LIMIT_WINDOW_MS,
    requestsPerWindow: values.RATE_LIMIT_REQUESTS,
    toolCostPerWindow: values.RATE_LIMIT_TOOL_COST,
    maxSessionsPerPrincipal: values.MAX_SESSIONS_PER_PRINCIPAL,
    sessionMaxLifetimeMs: values.SESSION_MAX_LIFETIME_MS,
    maxItemsPerPost: values.MAX_ITEMS_PER_POST,
    maxConcurrentCallsPerPrincipal: values.MAX_CONCURRENT_CALLS_PER_PRINCIPAL,
    maxResultBytes: values.MAX_RESULT_BYTES,
    eventHistoryBytes: values.SSE_EVENT_HISTORY_BYTES,
    eventHistoryTotalBytes: values.SSE_EVENT_HISTORY_TOTAL_BYTES,
  });
}
