import type { RequestHandler, Response } from "express";
import type { Counter } from "prom-client";
import { JsonRpcCode, writeJsonRpcError } from "../http/json-rpc-error.js";
import type { AuthFailureReason } from "./auth-failure.js";
import type { Authentication, Authenticator, Refusal } from "./authenticator.js";
import { wwwAuthenticate, type ChallengeSettings } from "./challenge.js";
import { BASE_SCOPE } from "./permissions.js";
import { hasQueryCredential } from "./query-credentials.js";

export interface AuthenticateOptions {
  readonly authenticator: Authenticator;
  readonly challenge: ChallengeSettings;
  readonly failures: Counter<"reason">;
}

/**
 * The middleware in front of /mcp. It sets `res.locals.principal` for a caller with valid
 * credentials, leaves it unset for an allowed anonymous caller, and otherwise answers itself:
 * 401 (missing, invalid, expired, wrong audience) or 403 (no `mcp` scope) with WWW-Authenticate
 * and a JSON-RPC error body, 400 for credentials in the query string, 503 when the authorization
 * server's keys cannot be fetched. Every refusal is counted by reason.
 */
export function authenticate(options: AuthenticateOptions): RequestHandler {
  const { authenticator, challenge, failures } = options;
  const answer = (res: Response, outcome: Authentication, next: () => void) => {
    if (outcome.kind === "principal") res.locals.principal = outcome.principal;
    if (outcome.kind !== "refused") {
      next();
      return;
    }
    if (outcome.reason !== undefined) failures.inc({ reason: outcome.reason });
    res.locals.authFailure = { reason: outcome.reason ?? "unavailable", detail: outcome.detail };
    refuse(res, outcome, challenge);
  };
  return (req, res, next) => {
    if (hasQueryCredential(req.originalUrl)) {
      failures.inc({ reason: "invalid" });
      res.locals.authFailure = { reason: "invalid", detail: "credentials in the query string" };
      refuseQueryCredential(res);
      return;
    }
    const outcome = authenticator.authenticate(req.headers.authorization);
    if (!(outcome instanceof Promise)) {
      answer(res, outcome, next);
      return;
    }
    outcome.then(
      (settled) => {
        answer(res, settled, next);
      },
      (error: unknown) => {
        next(error);
      },
    );
  };
}

function refuse(res: Response, refusal: Refusal, challenge: ChallengeSettings): void {
  if (refusal.status === 503) {
    res.setHeader("Retry-After", "5");
    writeJsonRpcError(res, 503, JsonRpcCode.serverError, `Service Unavailable: ${refusal.description}`, {
      retry_after_seconds: 5,
      suggestion:
        "Retry in 5 seconds; the server cannot check access tokens until it reaches the authorization server.",
    });
    return;
  }
  res.setHeader(
    "WWW-Authenticate",
    wwwAuthenticate(
      challenge,
      refusal.bearerError === undefined
        ? undefined
        : { code: refusal.bearerError, description: refusal.description },
    ),
  );
  const word = refusal.status === 403 ? "Forbidden" : "Unauthorized";
  writeJsonRpcError(res, refusal.status, JsonRpcCode.serverError, `${word}: ${refusal.description}`, {
    reason: refusal.reason,
    ...(challenge.resourceMetadataUrl === undefined
      ? {}
      : { resource_metadata: challenge.resourceMetadataUrl }),
    suggestion: suggestionFor(refusal.reason, challenge),
  });
}

function suggestionFor(reason: AuthFailureReason | undefined, challenge: ChallengeSettings): string {
  const oauth = challenge.resourceMetadataUrl !== undefined;
  switch (reason) {
    case "insufficient_scope":
      return `Request an access token that includes the '${BASE_SCOPE}' scope, plus the permissions the tools need (e.g. deploy.staging).`;
    case "expired":
      return "Get a new access token (refresh it or sign in again), then retry.";
    case "wrong_audience":
      return "Request an access token for this server: use the `resource` named in its protected-resource metadata.";
    case "missing":
      return oauth
        ? "Send Authorization: Bearer <access token> (the protected-resource metadata names the authorization server; ask for the 'mcp' scope) or Bearer <API key>."
        : "Send Authorization: Bearer <API key>; the server's operator creates keys with `npm run keys -- create`.";
    default:
      return oauth
        ? "Sign in again for a new access token, or use a valid API key; retrying the same credential will not help."
        : "Use a valid API key (ask the server's operator); retrying the same key will not help.";
  }
}

function refuseQueryCredential(res: Response): void {
  res.setHeader(
    "WWW-Authenticate",
    wwwAuthenticate(
      { resourceMetadataUrl: undefined },
      { code: "invalid_request", description: "credentials in the query string are refused" },
    ),
  );
  writeJsonRpcError(
    res,
    400,
    JsonRpcCode.invalidRequest,
    "Bad Request: credentials in the query string are refused",
    {
      reason: "invalid",
      suggestion:
        "Send the key or token in the Authorization header (Authorization: Bearer <credential>), never in the URL; treat a credential that was put in a URL as leaked.",
    },
  );
}
