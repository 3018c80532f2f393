import { createHash } from "node:crypto";

/**
 * A session id is a bearer credential: whoever holds it can use the session. Traces leave the
 * server (to a collector, to whoever reads it), so they carry this short digest instead. It still
 * groups one session's spans, and an operator holding the real id computes the same digest.
 */
export function sessionFingerprint(sessionId: string): string {
  return createHash("sha256").update(sessionId).digest("hex").slice(0, 16);
}
