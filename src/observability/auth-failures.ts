import { Counter, type Registry } from "prom-client";
import { AUTH_FAILURE_REASONS } from "../auth/auth-failure.js";

/**
 * mcp_auth_failures_total{reason}: requests refused by authentication, and 2025 sessions presented
 * by another principal. Every reason starts at zero so that rates exist before the first failure.
 */
export function createAuthFailuresCounter(registry: Registry): Counter<"reason"> {
  const counter = new Counter({
    name: "mcp_auth_failures_total",
    help: "Requests refused by authentication, by reason (missing, invalid, expired, wrong_audience, insufficient_scope, session_mismatch)",
    labelNames: ["reason"],
    registers: [registry],
  });
  for (const reason of AUTH_FAILURE_REASONS) counter.inc({ reason }, 0);
  return counter;
}
