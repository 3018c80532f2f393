import {
  CreateMessageResultSchema,
  ElicitResultSchema,
  ErrorCode,
  ListRootsResultSchema,
  McpError,
  type ClientCapabilities,
} from "@modelcontextprotocol/sdk/types.js";
import type { McpRequestExtra } from "../raw-tool.js";
import { CAPABILITY_FOR, type ClientInput, type InputRequest, type InputResponse } from "./client-input.js";

/** How long a person may take to answer before the question is treated as dismissed. */
const ANSWER_TIMEOUT_MS = 300_000;

/**
 * Client input on a 2025 session: every input request is sent to the client as a server→client
 * request on the call's own stream, and the handler waits for the answers. A question the client
 * leaves unanswered past the timeout reads as a dismissed form (cancel).
 */
export function sessionClientInput(
  extra: McpRequestExtra,
  capabilities: ClientCapabilities | undefined,
): ClientInput {
  const supports = (method: InputRequest["method"]) => capabilities?.[CAPABILITY_FOR[method]] !== undefined;
  return {
    supports,
    async request(requests, options) {
      const entries = await Promise.all(
        Object.entries(requests).map(async ([key, request]) => {
          const answer = await send(extra, request, options.signal);
          return [key, answer] as const;
        }),
      );
      return Object.fromEntries(entries);
    },
  };
}

async function send(
  extra: McpRequestExtra,
  request: InputRequest,
  signal?: AbortSignal,
): Promise<InputResponse> {
  const options = { timeout: ANSWER_TIMEOUT_MS, ...(signal === undefined ? {} : { signal }) };
  switch (request.method) {
    case "elicitation/create":
      try {
        return await extra.sendRequest(request, ElicitResultSchema, options);
      } catch (error) {
        if (error instanceof McpError && error.code === (ErrorCode.RequestTimeout as number)) {
          return { action: "cancel" };
        }
        throw error;
      }
    case "sampling/createMessage":
      return extra.sendRequest(request, CreateMessageResultSchema, options);
    case "roots/list":
      return extra.sendRequest(request, ListRootsResultSchema, options);
  }
}
