import type { Response } from "express";
import type { Principal } from "../tools/tool-definition.js";
import type { AuthFailureReason } from "./auth-failure.js";

/** Why the request was refused, for its log line (never the credential). */
export interface AuthFailureNote {
  readonly reason: AuthFailureReason | "unavailable";
  readonly detail: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express types res.locals this way
  namespace Express {
    interface Locals {
      /** Set by the authenticate middleware; unset for an anonymous caller. */
      principal?: Principal;
      /** Set when authentication refused the request. */
      authFailure?: AuthFailureNote;
    }
  }
}

/** Who is calling, as the authenticate middleware found; undefined for an anonymous caller. */
export function principalOf(res: Response): Principal | undefined {
  return res.locals.principal;
}

/**
 * What a 2025 session remembers of the principal that opened it: a request on the session must
 * come from the same one. Anonymous callers share one owner; an API key and a token of the same
 * name do not.
 */
export function sessionOwnerOf(principal: Principal | undefined): string {
  return principal === undefined
    ? "anonymous"
    : `${principal.authenticatedBy ?? "principal"}:${principal.id}`;
}
