import type { IncomingMessage } from "node:http";
import { sessionOwnerOf } from "../auth/principal.js";
import type { Principal } from "../tools/tool-definition.js";

/**
 * Whose share a request spends (rate limits, session slots): the principal, or for an anonymous
 * caller the client address, so two anonymous clients do not share one budget. Behind a proxy the
 * address is the proxy's: give such callers credentials.
 */
export function quotaKeyOf(principal: Principal | undefined, req: IncomingMessage): string {
  if (principal !== undefined) return sessionOwnerOf(principal);
  return `address:${req.socket.remoteAddress ?? "unknown"}`;
}
