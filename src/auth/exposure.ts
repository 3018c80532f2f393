import { isIP } from "node:net";
import type { AuthConfig } from "../../config/auth.js";

/** Whether a bind address only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (bare === "localhost") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (isIP(bare) === 6) return bare === "::1" || /^::ffff:127\./.test(bare);
  return false;
}

/** Whether any way of authenticating (API keys, OAuth) is configured. */
export function authConfigured(auth: AuthConfig): boolean {
  return auth.apiKeysFile !== undefined || auth.oauth !== undefined;
}

/**
 * Whether calls without credentials are served. With no authentication configured they are, but
 * only on a loopback bind (or with AUTH_ALLOW_ANONYMOUS=true); with keys or OAuth configured they
 * are refused unless AUTH_ALLOW_ANONYMOUS=true.
 */
export function anonymousAllowed(auth: AuthConfig, host: string): boolean {
  return auth.allowAnonymous || (!authConfigured(auth) && isLoopbackHost(host));
}

/**
 * Problems that stop the server from starting, each one line saying what to do: a public bind
 * with nobody to authenticate, or OAuth without the public URL its metadata is built on.
 */
export function authStartupProblems(auth: AuthConfig, host: string): string[] {
  const problems: string[] = [];
  if (!authConfigured(auth) && !auth.allowAnonymous && !isLoopbackHost(host)) {
    problems.push(
      `refusing to serve anonymous callers on HOST=${host}, which is not a loopback address: ` +
        "set AUTH_API_KEYS_FILE to a keys file (create one with `npm run keys -- create --file keys.json " +
        "--principal NAME --permissions deploy.staging`), or AUTH_ISSUER and PUBLIC_URL for OAuth, " +
        "or AUTH_ALLOW_ANONYMOUS=true to accept calls without credentials (see docs/auth.md)",
    );
  }
  if (auth.oauth !== undefined && (auth.publicUrl === undefined || auth.oauth.audience === undefined)) {
    problems.push(
      "AUTH_ISSUER is set but PUBLIC_URL is not: set PUBLIC_URL to the base URL clients reach this server by " +
        "(e.g. https://mcp.example.com); the protected-resource metadata and the token audience are built on it",
    );
  }
  return problems;
}
