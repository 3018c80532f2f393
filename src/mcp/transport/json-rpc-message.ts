import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCRequest,
  JSONRPCResultResponse,
  RequestId,
} from "@modelcontextprotocol/sdk/types.js";

/** What one JSON-RPC message is, decided by its keys alone. */
export type MessageKind = "request" | "notification" | "response";

const REQUEST_KEYS = new Set(["jsonrpc", "id", "method", "params"]);
const RESPONSE_KEYS = new Set(["jsonrpc", "id", "result", "error"]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isRequestId(value: unknown): value is RequestId {
  return typeof value === "string" || Number.isSafeInteger(value);
}

/** `_meta`, where present, is an object whose progress token and related task are well-formed. */
function validMeta(holder: Record<string, unknown>): boolean {
  if (!("_meta" in holder)) return true;
  const meta = holder._meta;
  if (!isPlainObject(meta)) return false;
  if ("progressToken" in meta && !isRequestId(meta.progressToken)) return false;
  const task = meta["io.modelcontextprotocol/related-task"];
  return task === undefined || (isPlainObject(task) && typeof task.taskId === "string");
}

function onlyKeys(message: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const key in message) if (!allowed.has(key)) return false;
  return true;
}

/**
 * Classifies a parsed JSON value as a JSON-RPC 2.0 message, or undefined when it is not one. It
 * accepts exactly what the SDK's strict message schemas accept, by hand: this runs on every
 * message, and a zod union parse per message costs more than the rest of the check combined.
 */
export function messageKind(value: unknown): MessageKind | undefined {
  if (!isPlainObject(value) || value.jsonrpc !== "2.0") return undefined;
  if ("method" in value) {
    if (typeof value.method !== "string" || !onlyKeys(value, REQUEST_KEYS)) return undefined;
    if (value.params !== undefined && !(isPlainObject(value.params) && validMeta(value.params)))
      return undefined;
    if (!("id" in value)) return "notification";
    return isRequestId(value.id) ? "request" : undefined;
  }
  if (!onlyKeys(value, RESPONSE_KEYS)) return undefined;
  if ("result" in value) {
    if ("error" in value) return undefined;
    return isRequestId(value.id) && isPlainObject(value.result) && validMeta(value.result)
      ? "response"
      : undefined;
  }
  if (!("error" in value) || !isPlainObject(value.error)) return undefined;
  const { code, message } = value.error;
  if (!Number.isSafeInteger(code) || typeof message !== "string") return undefined;
  return value.id === undefined || isRequestId(value.id) ? "response" : undefined;
}

/** A message already known to be valid: is it a request (it has a method and an id)? */
export function isRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return "method" in message && "id" in message;
}

/** A message already known to be valid: is it the initialize request (which opens a session)? */
export function isInitialize(message: JSONRPCMessage): message is JSONRPCRequest {
  return isRequest(message) && message.method === "initialize";
}

/** A message already known to be valid: is it a response (a result or an error)? */
export function isResponse(message: JSONRPCMessage): message is JSONRPCResultResponse | JSONRPCErrorResponse {
  return !("method" in message);
}

/** The request a notifications/cancelled message cancels, if that is what the message is. */
export function cancelledRequestId(message: JSONRPCMessage): RequestId | undefined {
  if (!("method" in message) || message.method !== "notifications/cancelled") return undefined;
  const requestId = message.params?.requestId;
  return isRequestId(requestId) ? requestId : undefined;
}

/** The most messages one POST may carry (the SDK's own limit). */
export const MAX_BATCH_SIZE = 100;

/** A POST body read as JSON-RPC: its messages, or why it is not acceptable. */
export type PostBody =
  | { readonly ok: true; readonly messages: JSONRPCMessage[]; readonly batch: boolean }
  | { readonly ok: false; readonly reason: string };

/** Reads a parsed POST body as one JSON-RPC message or a batch of them. */
export function readPostBody(body: unknown): PostBody {
  const batch = Array.isArray(body);
  const values: unknown[] = batch ? body : [body];
  if (values.length === 0) return { ok: false, reason: "an empty batch" };
  if (values.length > MAX_BATCH_SIZE)
    return { ok: false, reason: `a batch of more than ${String(MAX_BATCH_SIZE)} messages` };
  for (const value of values) {
    if (messageKind(value) === undefined) return { ok: false, reason: "not a JSON-RPC 2.0 message" };
  }
  return { ok: true, messages: values as JSONRPCMessage[], batch };
}
