import type { RequestHandler } from "express";
import { principalOf } from "../auth/principal.js";
import { writeJsonRpcError } from "../http/json-rpc-error.js";
import { refusalCodeFor } from "../http/refusal-code.js";
import { quotaKeyOf } from "./quota-key.js";
import type { RateBudget } from "./rate-budget.js";

/**
 * Spends the caller's request budget (after authentication, so the key is the principal's): one
 * per JSON-RPC message, so a batch of 20 costs what 20 POSTs would. Mounted twice on POST: before
 * the body is parsed it spends 1 (a flood is refused without parsing), after it the batch's other
 * messages. Over it: 429 with Retry-After and a JSON-RPC error body, before anything is dispatched.
 */
export function httpRateLimit(budget: RateBudget, onLimited: () => void): RequestHandler {
  return (req, res, next) => {
    const body: unknown = req.body;
    const cost = body === undefined ? 1 : Array.isArray(body) ? body.length - 1 : 0;
    if (cost <= 0) {
      next();
      return;
    }
    budget.take(quotaKeyOf(principalOf(res), req), cost).then((decision) => {
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
