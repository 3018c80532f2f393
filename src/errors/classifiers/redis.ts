import type { ExternalServiceKind } from "../catalog.js";
import type { ToolError } from "../tool-error.js";
import { externalServiceError } from "../transient-errors.js";
import { errorMessage, errorName } from "./error-chain.js";

// Error class names of ioredis and node-redis that mean the server cannot be reached.
const CONNECTION_ERROR_NAMES: Readonly<Record<string, ExternalServiceKind>> = {
  MaxRetriesPerRequestError: "connection_failed",
  ClientClosedError: "connection_failed",
  SocketClosedUnexpectedlyError: "connection_failed",
  ReconnectStrategyError: "connection_failed",
  ConnectionTimeoutError: "timeout",
};
// ioredis rejects queued commands with plain Errors carrying these messages.
const CONNECTION_MESSAGES = [
  "Connection is closed.",
  "Stream isn't writeable and enableOfflineQueue options is false",
];
// Reply error prefixes: a transient server state, or credentials the server refused.
const TRANSIENT_REPLIES = ["LOADING", "BUSY", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "READONLY", "OOM"];
const REFUSED_REPLIES = ["NOAUTH", "WRONGPASS", "NOPERM"];

/**
 * Redis client errors (ioredis, node-redis) recognised by name and message. Refused sockets
 * (ECONNREFUSED) are handled by the network classifier. WRONGTYPE/ERR replies are our own bugs and
 * stay internal.
 */
export function classifyRedis(error: unknown): ToolError | undefined {
  const name = errorName(error);
  const message = errorMessage(error) ?? "";
  const connectionKind = name === undefined ? undefined : CONNECTION_ERROR_NAMES[name];
  if (connectionKind !== undefined || CONNECTION_MESSAGES.includes(message)) {
    return externalServiceError({
      service: "redis",
      kind: connectionKind ?? "connection_failed",
      cause: error,
    });
  }
  if (name !== "ReplyError" && name !== "ErrorReply") return undefined;
  const prefix = message.split(/\s/, 1)[0] ?? "";
  if (TRANSIENT_REPLIES.includes(prefix)) {
    return externalServiceError({ service: "redis", kind: "server_error", cause: error });
  }
  if (REFUSED_REPLIES.includes(prefix)) {
    return externalServiceError({ service: "redis", kind: "client_error", cause: error });
  }
  return undefined;
}
