import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type { Principal } from "../tools/tool-definition.js";

// AuthInfo is the SDK's channel for "who sent this request" into a request handler's extra.
const PRINCIPAL_KEY = "resilient-mcp/principal";

/** The AuthInfo a transport hands to the server for a request sent by `principal`. */
export function authInfoFor(principal: Principal | undefined): AuthInfo | undefined {
  if (principal === undefined) return undefined;
  return {
    token: "",
    clientId: principal.id,
    scopes: [...principal.permissions],
    extra: { [PRINCIPAL_KEY]: principal },
  };
}

/** The principal a request handler's AuthInfo carries, if any (anonymous otherwise). */
export function principalFrom(authInfo: AuthInfo | undefined): Principal | undefined {
  const value = authInfo?.extra?.[PRINCIPAL_KEY];
  return isPrincipal(value) ? value : undefined;
}

function isPrincipal(value: unknown): value is Principal {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { id?: unknown }).id === "string" &&
    (value as { permissions?: unknown }).permissions instanceof Set
  );
}
