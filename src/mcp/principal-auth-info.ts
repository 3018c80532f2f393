import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type { Principal } from "../tools/tool-definition.js";

/**
 * Carries the principal the authenticate middleware found through the SDK to the tool call, in
 * the SDK's own slot for it (`extra.authInfo`). The credential itself never travels: `token` stays
 * empty, the principal rides in `extra`.
 */
export function authInfoFor(principal: Principal | undefined): AuthInfo | undefined {
  if (principal === undefined) return undefined;
  return {
    token: "",
    clientId: principal.credentialId ?? principal.id,
    scopes: [...principal.permissions],
    extra: { principal },
  };
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
