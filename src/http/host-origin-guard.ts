import type { RequestHandler } from "express";
import { writeJsonRpcError } from "./json-rpc-error.js";
import { refusalCodeFor } from "./refusal-code.js";

/** Splits "host:port" or "[v6]:port" into its host and optional port. */
function splitHostPort(value: string): { host: string; port: string | undefined } {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(value.trim().toLowerCase());
  if (match === null) return { host: "", port: undefined };
  return { host: match[1] ?? "", port: match[2] };
}

/**
 * An allowed entry without a port matches any port; with a port, only that port. "*" allows all.
 * The entries are parsed once, not on every request.
 */
function hostMatcher(allowed: readonly string[]): (hostHeader: string) => boolean {
  if (allowed.includes("*")) return () => true;
  const wanted = allowed.map(splitHostPort);
  return (hostHeader) => {
    const actual = splitHostPort(hostHeader);
    if (actual.host === "") return false;
    return wanted.some(
      (entry) => entry.host === actual.host && (entry.port === undefined || entry.port === actual.port),
    );
  };
}

/** An allowed origin without a port matches any port of that scheme and host. "*" allows all. */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  if (allowed.includes("*")) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return allowed.some((entry) => {
    const wanted = new URL(entry);
    return (
      wanted.protocol === parsed.protocol &&
      wanted.hostname === parsed.hostname &&
      (wanted.port === "" || wanted.port === parsed.port)
    );
  });
}

/**
 * DNS-rebinding protection: a request whose Host is not ours, or whose Origin (when a browser
 * sends one) is not allowed, is refused with 403 before it reaches any session.
 */
export function hostOriginGuard(options: {
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
}): RequestHandler {
  const hostAllowed = hostMatcher(options.allowedHosts);
  return (req, res, next) => {
    const host = req.headers.host;
    if (host === undefined || !hostAllowed(host)) {
      writeJsonRpcError(res, 403, refusalCodeFor(req), "Forbidden: Host header is not allowed", {
        reason: "host_not_allowed",
        suggestion: "Connect using an allowed host name, or add this host to ALLOWED_HOSTS on the server.",
      });
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !originAllowed(origin, options.allowedOrigins)) {
      writeJsonRpcError(res, 403, refusalCodeFor(req), "Forbidden: Origin is not allowed", {
        reason: "origin_not_allowed",
        suggestion:
          "Use the server from an allowed origin, or add this origin to ALLOWED_ORIGINS on the server.",
      });
      return;
    }
    next();
  };
}
