import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type RemoteJWKSet } from "jose";
import type { CredentialRefusal, VerifierUnavailable } from "./auth-failure.js";
import { discoverIssuer, type IssuerMetadata } from "./issuer-metadata.js";
import { VerifiedTokenCache } from "./verified-token-cache.js";

/** A verified access token: who it is for and what it grants. */
export interface VerifiedToken {
  readonly ok: true;
  /** `sub`, or the client id for a client-credentials token without one. */
  readonly subject: string;
  readonly clientId: string | undefined;
  readonly scopes: ReadonlySet<string>;
}

export interface JwtVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly algorithms: readonly string[];
  readonly clockToleranceSeconds: number;
  /** Timeout of one request to the authorization server (metadata, JWKS). */
  readonly timeoutMs?: number;
  /** After a JWKS fetch, how long an unknown key id waits before the next fetch (jose's cooldown). */
  readonly jwksCooldownMs?: number;
  /** How long fetched keys are trusted before they are fetched again. */
  readonly jwksMaxAgeMs?: number;
  /** After failed discovery, how long requests fail fast before discovery is tried again. */
  readonly retryDiscoveryAfterMs?: number;
  /** How long a verified token is remembered (bounded by its exp); 0 verifies every time. */
  readonly verifiedCacheMs?: number;
}

/** Verifies JWT access tokens of one issuer for one audience (RFC 9068, RFC 8707). */
export interface JwtVerifier {
  verify(token: string): Promise<VerifiedToken | CredentialRefusal | VerifierUnavailable>;
  /** Discovers the issuer and fetches its keys ahead of the first request; never throws. */
  warmUp(): Promise<boolean>;
}

/**
 * Builds the verifier. The issuer's metadata is discovered once (again after a failure, at most
 * every few seconds); its JWKS is cached by jose, which fetches again when a token names a key id
 * it does not hold (key rotation) — so verifying a token costs no network round trip. A token
 * that verified is remembered for a minute (see VerifiedTokenCache).
 */
export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const timeoutMs = options.timeoutMs ?? 5000;
  const retryAfterMs = options.retryDiscoveryAfterMs ?? 5000;
  let keys: Promise<RemoteJWKSet> | undefined;
  let failedAt = 0;
  const verified = new VerifiedTokenCache<VerifiedToken>({
    maxEntries: 1000,
    maxAgeMs: options.verifiedCacheMs ?? 60_000,
  });

  const keySet = (): Promise<RemoteJWKSet> => {
    if (keys === undefined || (failedAt > 0 && Date.now() - failedAt >= retryAfterMs)) {
      failedAt = 0;
      keys = discoverIssuer(options.issuer, { timeoutMs }).then(
        (metadata: IssuerMetadata) =>
          createRemoteJWKSet(new URL(metadata.jwksUri), {
            timeoutDuration: timeoutMs,
            cooldownDuration: options.jwksCooldownMs ?? 30_000,
            cacheMaxAge: options.jwksMaxAgeMs ?? 600_000,
          }),
        (error: unknown) => {
          failedAt = Date.now();
          throw error;
        },
      );
    }
    return keys;
  };

  async function verify(token: string): Promise<VerifiedToken | CredentialRefusal | VerifierUnavailable> {
    const remembered = verified.get(token);
    if (remembered !== undefined) return remembered;
    let getKey: RemoteJWKSet;
    try {
      getKey = await keySet();
    } catch (error) {
      return unavailable(error);
    }
    try {
      const { payload } = await jwtVerify(token, getKey, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: [...options.algorithms],
        clockTolerance: options.clockToleranceSeconds,
        requiredClaims: ["exp"],
      });
      const verdict = accepted(payload);
      if (verdict.ok && payload.exp !== undefined) verified.set(token, verdict, payload.exp * 1000);
      return verdict;
    } catch (error) {
      return refusedOrUnavailable(error, options.audience);
    }
  }

  return {
    verify,
    async warmUp() {
      try {
        // Fetches the key set now, so that the first request does not wait for it.
        await (await keySet()).reload();
        return true;
      } catch {
        return false;
      }
    },
  };
}

function accepted(payload: JWTPayload): VerifiedToken | CredentialRefusal {
  const clientId = stringClaim(payload.client_id) ?? stringClaim(payload.azp);
  const subject = stringClaim(payload.sub) ?? clientId;
  if (subject === undefined) {
    return refused("invalid", "the access token names no subject", "token has neither sub nor client_id");
  }
  return { ok: true, subject, clientId, scopes: scopesOf(payload) };
}

/** `scope` (RFC 9068: space-separated) or `scp` (an array, as some servers issue). */
function scopesOf(payload: JWTPayload): ReadonlySet<string> {
  if (typeof payload.scope === "string") return new Set(payload.scope.split(" ").filter((s) => s !== ""));
  if (Array.isArray(payload.scp))
    return new Set(payload.scp.filter((s): s is string => typeof s === "string"));
  return new Set();
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 && value.length <= 256 ? value : undefined;
}

function refusedOrUnavailable(error: unknown, audience: string): CredentialRefusal | VerifierUnavailable {
  if (error instanceof errors.JWTExpired) {
    return refused("expired", "the access token expired", `exp ${String(error.payload.exp)} has passed`);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "aud") {
      return refused(
        "wrong_audience",
        "the access token was not issued for this server",
        `aud ${JSON.stringify(error.payload.aud)} does not include ${audience}`,
      );
    }
    return refused("invalid", `the access token's ${error.claim} claim is not acceptable`, error.message);
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return refused("invalid", "the access token is signed by an unknown key", error.message);
  }
  if (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    !(error instanceof errors.JOSEError)
  ) {
    return unavailable(error);
  }
  if (error.code === "ERR_JOSE_GENERIC") return unavailable(error);
  return refused("invalid", "the access token is not valid", `${error.code}: ${error.message}`);
}

function refused(
  reason: CredentialRefusal["reason"],
  description: string,
  detail: string,
): CredentialRefusal {
  return { ok: false, reason, description, detail };
}

function unavailable(error: unknown): VerifierUnavailable {
  return {
    ok: false,
    reason: "unavailable",
    description: "the authorization server's keys cannot be fetched right now",
    detail: error instanceof Error ? error.message : String(error),
  };
}
