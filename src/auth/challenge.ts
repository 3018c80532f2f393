import { BASE_SCOPE } from "./permissions.js";

/** What a 401/403 tells the client about where and how to authenticate. */
export interface ChallengeSettings {
  /** RFC 9728 metadata URL; only when OAuth is configured. */
  readonly resourceMetadataUrl: string | undefined;
}

/** The OAuth error codes of RFC 6750 §3.1 this server answers with. */
export type BearerError = "invalid_request" | "invalid_token" | "insufficient_scope";

/**
 * The WWW-Authenticate value of a refusal (RFC 6750 §3, MCP authorization): `resource_metadata`
 * points OAuth clients at the protected-resource metadata, `scope` names the base scope. A
 * request without credentials gets no error code, as RFC 6750 asks.
 */
export function wwwAuthenticate(
  settings: ChallengeSettings,
  error?: { readonly code: BearerError; readonly description: string },
): string {
  const params: string[] = [];
  if (error !== undefined) {
    params.push(`error="${error.code}"`, `error_description="${quoted(error.description)}"`);
  }
  if (settings.resourceMetadataUrl !== undefined) {
    params.push(`resource_metadata="${quoted(settings.resourceMetadataUrl)}"`, `scope="${BASE_SCOPE}"`);
  }
  return params.length === 0 ? "Bearer" : `Bearer ${params.join(", ")}`;
}

/** A quoted-string may not hold `"` or `\` unescaped; only printable ASCII goes into a header. */
function quoted(value: string): string {
  return value.replace(/[\\"]/g, "\\$&").replace(/[^ -~]/g, " ");
}
