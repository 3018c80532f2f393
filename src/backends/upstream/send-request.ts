import { parseRetryAfter } from "../../errors/retry-guidance.js";
import { UpstreamError } from "../../errors/upstream-error.js";
import { readJsonBody, readSnippet } from "./read-body.js";

/** A parsed JSON answer from an upstream service. */
export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  /** The URL that answered (after same-origin redirects). */
  readonly url: string;
}

/** What one GET needs besides its URL and signal. */
export interface SendContext {
  readonly service: string;
  /** The service's base URL (path ending in "/"): a redirect is followed only to a URL below it. */
  readonly base: URL;
  readonly fetchImpl: typeof fetch;
  readonly headers: Readonly<Record<string, string>>;
  readonly maxBodyBytes: number;
  readonly now: () => number;
}

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
/**
 * A constant, not a setting: an API that moved answers with one redirect, a trailing-slash fix
 * with another; more than three is a loop or a misconfiguration, and every hop costs a round trip
 * of the caller's time budget.
 */
export const MAX_REDIRECTS = 3;
const ENCODED_SEPARATOR = /%(2f|5c)/i;

/**
 * One GET, no retry: follows up to three redirects, each only to a URL under the base URL (fetch's
 * own following would go anywhere: another host, or another API on the same one), turns non-2xx
 * answers into UpstreamErrors carrying the status and parsed Retry-After, and parses the body under
 * the size cap. Network and abort errors propagate raw; the caller knows which signal fired.
 */
export async function sendGet(
  url: URL,
  context: SendContext,
  signal: AbortSignal,
): Promise<UpstreamResponse> {
  const { service } = context;
  let current = url;
  for (let hop = 0; ; hop++) {
    const response = await context.fetchImpl(current, {
      method: "GET",
      headers: { accept: "application/json", ...context.headers },
      redirect: "manual",
      signal,
    });
    if (REDIRECT_STATUSES.has(response.status)) {
      await response.body?.cancel().catch(() => undefined);
      current = redirectTarget(response, current, context.base, hop, service);
      continue;
    }
    if (response.status < 200 || response.status > 299) throw await statusError(response, context);
    const body = await readJsonBody(response, { service, maxBytes: context.maxBodyBytes });
    return { status: response.status, headers: response.headers, body, url: current.href };
  }
}

function redirectTarget(response: Response, current: URL, base: URL, hop: number, service: string): URL {
  const refuse = (reason: string): UpstreamError =>
    new UpstreamError(service, `${service} redirected ${reason}; not followed`, {
      status: response.status,
      kind: "bad_response",
    });
  const location = response.headers.get("location");
  if (location === null) throw refuse("without a Location");
  let target: URL;
  try {
    target = new URL(location, current);
  } catch (error) {
    throw refuse(`to an unparseable Location: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (target.origin !== base.origin) throw refuse(`to another origin (${target.origin})`);
  // The URL parser has already resolved "." and ".." segments (%2e too), so a prefix check is
  // exact; an encoded separator could still be decoded into one by the upstream server.
  const underBase = target.pathname.startsWith(base.pathname) || `${target.pathname}/` === base.pathname;
  if (!underBase || ENCODED_SEPARATOR.test(target.pathname)) {
    throw refuse(`outside the base path ${base.pathname}`);
  }
  if (hop >= MAX_REDIRECTS) throw refuse(`more than ${MAX_REDIRECTS} times`);
  return target;
}

async function statusError(response: Response, context: SendContext): Promise<UpstreamError> {
  const retryAfterSeconds = parseRetryAfter(response.headers.get("retry-after"), context.now());
  const bodySnippet = await readSnippet(response);
  return new UpstreamError(context.service, `${context.service} answered HTTP ${response.status}`, {
    status: response.status,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    ...(bodySnippet === undefined ? {} : { bodySnippet }),
  });
}
