import { Counter, type Registry } from "prom-client";

/** What was refused by a rate limit: the `scope` label of mcp_rate_limited_total. */
export const RATE_LIMIT_SCOPES = ["http", "tool"] as const;
export type RateLimitScope = (typeof RATE_LIMIT_SCOPES)[number];

/**
 * mcp_rate_limited_total{scope}: HTTP requests answered 429 (`http`) and tool calls answered
 * rate_limited by this server's own limiter (`tool`). Both start at zero.
 */
export function createRateLimitedCounter(registry: Registry): Counter<"scope"> {
  const counter = new Counter({
    name: "mcp_rate_limited_total",
    help: "Requests and tool calls refused by this server's rate limits, by scope (http, tool)",
    labelNames: ["scope"],
    registers: [registry],
  });
  for (const scope of RATE_LIMIT_SCOPES) counter.inc({ scope }, 0);
  return counter;
}
