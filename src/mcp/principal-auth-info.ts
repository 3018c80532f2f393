import type { IncomingMessage } from "node:http";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import { quotaKeyOf } from "../limits/quota-key.js";
import type { PostItems } from "../tools/tool-budget.js";
import type { Principal } from "../tools/tool-definition.js";

/**
 * Carries the principal the authenticate middleware found through the SDK to the tool call, in
 * the SDK's own slot for it (`extra.authInfo`). The credential itself never travels: `token` stays
 * empty, the principal rides in `extra`, beside the quota key its tool calls spend (for an
 * anonymous caller, which has no principal, only the quota key) and the items its POST asks for.
 */
export function authInfoFor(principal: Principal | undefined, req: IncomingMessage): AuthInfo {
  // One per POST, shared by every message of its batch: what the whole POST asks for.
  const postItems: PostItems = { spent: 0 };
  const quotaKey = quotaKeyOf(principal, req);
  if (principal === undefined) return { token: "", clientId: "", scopes: [], extra: { quotaKey, postItems } };
  return {
    token: "",
    clientId: principal.credentialId ?? principal.id,
    scopes: [...principal.permissions],
    extra: { principal, quotaKey, postItems },
  };
}

/** The items of the POST a request came in (see MAX_ITEMS_PER_POST). */
export function postItemsOfAuthInfo(authInfo: AuthInfo | undefined): PostItems | undefined {
  const postItems = authInfo?.extra?.postItems;
  return typeof postItems === "object" &&
    postItems !== null &&
    typeof (postItems as PostItems).spent === "number"
    ? (postItems as PostItems)
    : undefined;
}

/** The quota key a request's auth info carries (see quotaKeyOf). */
export function quotaKeyOfAuthInfo(authInfo: AuthInfo | undefined): string | undefined {
  const quotaKey = authInfo?.extra?.quotaKey;
  return typeof quotaKey === "string" ? quotaKey : undefined;
}

/** The principal a request's auth info carries; undefined for an anonymous caller. */
export function principalOfAuthInfo(authInfo: AuthInfo | undefined): Principal | undefined {
  const principal = authInfo?.extra?.principal;
  return isPrincipal(principal) ? principal : undefined;
}

function isPrincipal(value: unknown): value is Principal {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { id?: unknown }).id === "string" &&
    (value as { permissions?: unknown }).permissions instanceof Set
  );
}
