import type { RequestHandler } from "express";
import type { Logger } from "pino";
import type { Counter, Registry } from "prom-client";
import type { AuthConfig } from "../../config/auth.js";
import { createAuthFailuresCounter } from "../observability/auth-failures.js";
import type { Principal } from "../tools/tool-definition.js";
import { ApiKeyStore } from "./api-key-store.js";
import { authenticate } from "./authenticate.js";
import { Authenticator } from "./authenticator.js";
import { anonymousAllowed, authStartupProblems, isLoopbackHost } from "./exposure.js";
import { createJwtVerifier } from "./jwt-verifier.js";
import { protectedResource, type ProtectedResource } from "./protected-resource.js";

/** Everything the app needs to know who calls. */
export interface AuthServices {
  /** The middleware in front of /mcp. */
  readonly authenticate: RequestHandler;
  /** Who an allowed call without credentials runs as. */
  readonly anonymousPrincipal: Principal;
  /** RFC 9728 metadata; undefined when OAuth is not configured. */
  readonly protectedResource: ProtectedResource | undefined;
  /** mcp_auth_failures_total{reason}. */
  readonly failures: Counter<"reason">;
  /** Re-reads the API keys file (SIGHUP). */
  reload(): Promise<void>;
  close(): void;
}

/** Thrown when the configuration would expose the server or cannot work; one line per problem. */
export class AuthSetupError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("; "));
    this.name = "AuthSetupError";
  }
}

/**
 * Builds authentication from the configuration: refuses to start on a public bind with nobody to
 * authenticate, loads the API keys (and watches their file), prepares the JWT verifier and
 * fetches the issuer's keys in the background.
 */
export async function createAuthServices(options: {
  readonly config: AuthConfig;
  readonly host: string;
  readonly logger: Logger;
  readonly registry: Registry;
  /** Watch the keys file for changes (off in tests that do not need it). */
  readonly watchKeys?: boolean;
}): Promise<AuthServices> {
  const { config, host, logger } = options;
  const problems = authStartupProblems(config, host);
  if (problems.length > 0) throw new AuthSetupError(problems);

  const keys =
    config.apiKeysFile === undefined
      ? undefined
      : await ApiKeyStore.open({ file: config.apiKeysFile, logger });
  if (keys !== undefined && options.watchKeys !== false) keys.watch();
  const oauth = config.oauth;
  const audience = oauth?.audience;
  const resource =
    oauth === undefined || config.publicUrl === undefined || audience === undefined
      ? undefined
      : protectedResource(oauth, config.publicUrl, audience);
  const jwt =
    oauth === undefined || audience === undefined
      ? undefined
      : createJwtVerifier({
          issuer: oauth.issuer,
          audience,
          algorithms: oauth.algorithms,
          clockToleranceSeconds: oauth.clockToleranceSeconds,
        });
  if (jwt !== undefined) {
    void jwt.warmUp().then((ready) => {
      if (!ready)
        logger.warn(
          { issuer: oauth?.issuer },
          "authorization server not reachable yet; tokens are refused with 503 until it is",
        );
    });
  }
  const allowAnonymous = anonymousAllowed(config, host);
  if (allowAnonymous && !isLoopbackHost(host)) {
    logger.warn(
      { host },
      "anonymous callers are served on a non-loopback address (AUTH_ALLOW_ANONYMOUS=true)",
    );
  }
  const failures = createAuthFailuresCounter(options.registry);
  const authenticator = new Authenticator({ keys, jwt, anonymousAllowed: allowAnonymous });
  logger.info(
    {
      api_keys: keys?.size,
      oauth_issuer: oauth?.issuer,
      audience,
      anonymous: allowAnonymous ? config.anonymous.id : false,
    },
    "authentication configured",
  );
  return {
    authenticate: authenticate({
      authenticator,
      challenge: { resourceMetadataUrl: resource?.metadataUrl },
      failures,
    }),
    anonymousPrincipal: Object.freeze({
      id: config.anonymous.id,
      permissions: new Set(config.anonymous.permissions),
      authenticatedBy: "anonymous" as const,
    }),
    protectedResource: resource,
    failures,
    reload: async () => {
      await keys?.reload("SIGHUP");
    },
    close() {
      keys?.close();
    },
  };
}
