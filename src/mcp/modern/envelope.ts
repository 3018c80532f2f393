import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  PROTOCOL_VERSION_META_KEY,
} from "@modelcontextprotocol/server";

/**
 * The level of log notifications a stateless request asks for. The SDK marks its constant
 * deprecated (SEP-2577 plans to replace it), but 2026-07-28 defines it and the conformance suite
 * checks it, so it is spelled out here.
 */
export const LOG_LEVEL_META_KEY = "io.modelcontextprotocol/logLevel";

export { FIRST_MODERN_VERSION, isModernVersion } from "../../http/refusal-code.js";
import { isModernVersion } from "../../http/refusal-code.js";

const LOG_LEVELS = new Set(["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]);

/** One problem with a request's `_meta` envelope: which key, and what is wrong with it. */
export interface EnvelopeIssue {
  readonly key: string;
  readonly problem: string;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The `_meta` object of a message's params, when there is one. */
export function metaOf(params: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(params)) return undefined;
  const meta = params._meta;
  return isPlainObject(meta) ? meta : undefined;
}

/** A message claims the stateless era when its `_meta` carries the protocol-version key. */
export function hasEnvelopeClaim(params: unknown): boolean {
  const meta = metaOf(params);
  return meta !== undefined && PROTOCOL_VERSION_META_KEY in meta;
}

/** The version a claim names, when it is a string. */
export function claimedVersion(params: unknown): string | undefined {
  const version = metaOf(params)?.[PROTOCOL_VERSION_META_KEY];
  return typeof version === "string" ? version : undefined;
}

/**
 * Checks a request's `_meta` as a 2026-07-28 envelope: missing required keys first, then keys of
 * the wrong shape, in a stable order (the SDK's codec reports the same keys). Hand-written
 * because this runs on every stateless request, where a schema parse costs tens of microseconds.
 */
export function envelopeIssues(meta: Readonly<Record<string, unknown>>): EnvelopeIssue[] {
  const issues: EnvelopeIssue[] = [];
  for (const key of [PROTOCOL_VERSION_META_KEY, CLIENT_CAPABILITIES_META_KEY]) {
    if (!(key in meta)) issues.push({ key, problem: "missing" });
  }
  const version = meta[PROTOCOL_VERSION_META_KEY];
  if (version !== undefined && typeof version !== "string") {
    issues.push({ key: PROTOCOL_VERSION_META_KEY, problem: "expected a protocol version string" });
  }
  const capabilities = meta[CLIENT_CAPABILITIES_META_KEY];
  if (capabilities !== undefined && !capabilitiesShaped(capabilities)) {
    issues.push({ key: CLIENT_CAPABILITIES_META_KEY, problem: "expected an object of capability objects" });
  }
  const info = meta[CLIENT_INFO_META_KEY];
  if (info !== undefined && !implementationShaped(info)) {
    issues.push({ key: CLIENT_INFO_META_KEY, problem: "expected {name, version} strings" });
  }
  const level = meta[LOG_LEVEL_META_KEY];
  if (level !== undefined && !(typeof level === "string" && LOG_LEVELS.has(level))) {
    issues.push({ key: LOG_LEVEL_META_KEY, problem: `expected one of ${[...LOG_LEVELS].join(", ")}` });
  }
  return issues;
}

function capabilitiesShaped(value: unknown): boolean {
  return isPlainObject(value) && Object.values(value).every((entry) => isPlainObject(entry));
}

function implementationShaped(value: unknown): boolean {
  return isPlainObject(value) && typeof value.name === "string" && typeof value.version === "string";
}

/** True when `params` carries a claim that is well-formed and names a stateless-era revision. */
export function carriesModernClaim(params: unknown): boolean {
  const version = claimedVersion(params);
  const meta = metaOf(params);
  return (
    version !== undefined &&
    isModernVersion(version) &&
    meta !== undefined &&
    envelopeIssues(meta).length === 0
  );
}
