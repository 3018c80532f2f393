import type { OAuthConfig } from "../../config/auth.js";
import { BASE_SCOPE, PRODUCT_PERMISSIONS } from "./permissions.js";

/** RFC 9728 protected-resource metadata, as served under /.well-known/oauth-protected-resource. */
export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly authorization_servers: readonly string[];
  readonly scopes_supported: readonly string[];
  readonly bearer_methods_supported: readonly string[];
  readonly resource_name: string;
}

/** The metadata document and the URL clients are pointed at in WWW-Authenticate. */
export interface ProtectedResource {
  readonly metadata: ProtectedResourceMetadata;
  readonly metadataUrl: string;
}

/**
 * Describes /mcp as an OAuth protected resource. Its identifier is the token audience, so a client
 * that sends it as the RFC 8707 `resource` parameter gets a token this server accepts. The metadata
 * URL inserts /.well-known/oauth-protected-resource before the endpoint's path (RFC 9728 §3.1).
 */
export function protectedResource(
  oauth: OAuthConfig,
  publicUrl: string,
  audience: string,
): ProtectedResource {
  const base = new URL(publicUrl);
  const path = base.pathname.replace(/\/+$/, "");
  return {
    metadata: Object.freeze({
      resource: audience,
      authorization_servers: Object.freeze([oauth.issuer]),
      scopes_supported: Object.freeze([BASE_SCOPE, ...PRODUCT_PERMISSIONS]),
      bearer_methods_supported: Object.freeze(["header"]),
      resource_name: "resilient-mcp",
    }),
    metadataUrl: `${base.origin}/.well-known/oauth-protected-resource${path}/mcp`,
  };
}
