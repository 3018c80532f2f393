import type { RequestHandler } from "express";
import { principalOf } from "../auth/principal.js";
import { writeJsonRpcError } from "../http/json-rpc-error.js";
import { refusalCodeFor } from "../http/refusal-code.js";
import { quotaKeyOf } from "./quota-key.js";
import type { RateBudget } from "./rate-budget.js";

/**
 * Spends one request of the caller's HTTP budget (after authentication, so the key is the
 * principal's). Over it: 429 with Retry-After and a JSON-RPC error body, before the body is read.
 */
export function httpRateLimit(budget: RateBudget, onLimited: () => void): RequestHandler {
  return (req, res, next) => {
    budget.take(quotaKeyOf(principalOf(res), req), 1).then((decision) => {
      if (decision.allowed) {
        next();
        return;
      }
      onLimited();
      res.setHeader("Retry-After", String(decision.retryAfterSeconds));
      writeJsonRpcError(
        res,
        429,
        refusalCodeFor(req),
        "Too Many Requests: this caller's request rate limit was reached",
        {
          reason: "rate_limited",
          retry_after_seconds: decision.retryAfterSeconds,
          suggestion: `Wait ${decision.retryAfterSeconds} seconds, then send the request again; spread requests out.`,
        },
      );
    }, next);
  };
}
