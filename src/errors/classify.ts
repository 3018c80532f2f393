import { classifyAbort } from "./classifiers/abort.js";
import { classifyFs } from "./classifiers/fs.js";
import { classifyNetwork } from "./classifiers/network.js";
import { classifyPostgres } from "./classifiers/postgres.js";
import { classifyRedis } from "./classifiers/redis.js";
import { classifyRefusal } from "./classifiers/refusal.js";
import { classifySqlite } from "./classifiers/sqlite.js";
import { classifyUpstream } from "./classifiers/upstream.js";
import { classifyZod } from "./classifiers/zod.js";
import { errorMessage, errorName } from "./classifiers/error-chain.js";
import { ToolError } from "./tool-error.js";

/** Recognises one family of errors, or passes (undefined). */
export type Classifier = (error: unknown) => ToolError | undefined;

/**
 * Order matters: a marked upstream failure is judged by its marker before its cause; aborts come
 * before network codes because an abort whose chain also holds the socket error it caused
 * (ECONNRESET on the closed connection) is a cancellation, not a connection failure.
 */
const CLASSIFIERS: readonly Classifier[] = [
  classifyRefusal,
  classifyUpstream,
  classifyZod,
  classifyAbort,
  // Before network: a refused connection to PostgreSQL is named as such.
  classifyPostgres,
  classifyNetwork,
  classifySqlite,
  classifyRedis,
  classifyFs,
];

/**
 * The one place that decides what a failure means. ToolErrors pass through; known operational
 * failures (bad input, missing files, refused connections, upstream statuses, locks) get their
 * catalog type; everything else is internal_error, the programmer-or-unknown error, whose message
 * the envelope masks. A bare SyntaxError is internal on purpose: JSON.parse of an upstream body is
 * a bad_response only when the backend says so by wrapping it in an UpstreamError.
 */
export function classifyError(error: unknown): ToolError {
  if (error instanceof ToolError) return error;
  for (const classify of CLASSIFIERS) {
    const classified = classify(error);
    if (classified) return classified;
  }
  return internalError(error);
}

/** An internal_error keeping the original as cause; its message is for the log only. */
export function internalError(error: unknown): ToolError {
  const name = errorName(error) ?? typeof error;
  const message = errorMessage(error) ?? describeThrown(error);
  return new ToolError("internal_error", `${name}: ${message}`, {
    // Something that is not an Error has no stack; wrap it so the log still shows where it surfaced.
    cause: error instanceof Error ? error : new Error(`Non-error thrown: ${describeThrown(error)}`),
  });
}

function describeThrown(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    // JSON.stringify returns undefined for undefined, functions and symbols despite its type.
    const text = JSON.stringify(value) as string | undefined;
    return text === undefined ? typeof value : text.slice(0, 200);
  } catch {
    return typeof value;
  }
}
