/**
 * Why a request was refused authentication, as counted in mcp_auth_failures_total{reason}: a
 * closed set, so a label never carries a token, a key id or user input.
 */
export const AUTH_FAILURE_REASONS = [
  "missing",
  "invalid",
  "expired",
  "wrong_audience",
  "insufficient_scope",
  "session_mismatch",
] as const;

export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

/** A credential that was checked and refused: what the client is told, and what only the log gets. */
export interface CredentialRefusal {
  readonly ok: false;
  readonly reason: Exclude<AuthFailureReason, "missing" | "session_mismatch">;
  /** For the client (error_description): what is wrong, without echoing the credential. */
  readonly description: string;
  /** For the log: which key or claim, and why. Never the secret itself. */
  readonly detail: string;
}

/** The authorization server could not be asked (metadata or keys unreachable): not the client's fault. */
export interface VerifierUnavailable {
  readonly ok: false;
  readonly reason: "unavailable";
  readonly description: string;
  readonly detail: string;
}
