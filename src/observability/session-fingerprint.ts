import { createHash } from "node:crypto";

/** Hex digits kept: 48 bits tell a server's sessions apart and say nothing of the id itself. */
const FINGERPRINT_DIGITS = 12;

/**
 * What log lines show instead of a session id. The id is a bearer-like value (whoever has it can
 * use the session), so it never reaches the log; an operator holding one finds its lines with
 * `printf %s "$ID" | sha256sum | cut -c1-12`.
 */
export function sessionFingerprint(sessionId: unknown): string | undefined {
  if (typeof sessionId !== "string" || sessionId === "") return undefined;
  return createHash("sha256").update(sessionId).digest("hex").slice(0, FINGERPRINT_DIGITS);
}
