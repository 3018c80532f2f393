import type {
  ClientCapabilities,
  CreateMessageRequestParams,
  ElicitRequestFormParams,
} from "@modelcontextprotocol/sdk/types.js";
import { AwaitingUserInput } from "../../tools/user-input.js";

/** A request the server needs the client to answer: a form for the user, an LLM sampling, or roots. */
export type InputRequest =
  | { readonly method: "elicitation/create"; readonly params: ElicitRequestFormParams }
  | { readonly method: "sampling/createMessage"; readonly params: CreateMessageRequestParams }
  | { readonly method: "roots/list"; readonly params: Record<string, never> };

/** The client's result for one InputRequest (ElicitResult, CreateMessageResult or ListRootsResult). */
export type InputResponse = Readonly<Record<string, unknown>>;

/** The `input_required` result a stateless call answers with when it needs the client. */
export interface InputRequiredResult {
  readonly resultType: "input_required";
  readonly inputRequests?: Readonly<Record<string, InputRequest>>;
  readonly requestState?: string;
  readonly [key: string]: unknown;
}

export interface InputRequestOptions {
  /**
   * Accept an answer only for a question this server asked, as proven by a requestState it
   * signed (product confirmations). Unbound requests take answers a client sends up front.
   */
  readonly bound: boolean;
  readonly signal?: AbortSignal;
}

/**
 * Reaching the client from a request handler, the same way in both protocol eras: a server→client
 * request on a 2025 session, or `input_required` and a retry in the stateless era.
 */
export interface ClientInput {
  /** Whether the client declared the capability `method` needs (for this request, in the stateless era). */
  supports(method: InputRequest["method"]): boolean;
  /**
   * The client's answers to `requests`, keyed like them. In the stateless era a call without all
   * answers rejects with InputRequired, whose result the handler's request answers with.
   */
  request(
    requests: Readonly<Record<string, InputRequest>>,
    options: InputRequestOptions,
  ): Promise<Record<string, InputResponse>>;
}

/** Ends a stateless request to ask the client; `result` is what the request answers. */
export class InputRequired extends AwaitingUserInput {
  override readonly name = "InputRequired";
  constructor(readonly result: InputRequiredResult) {
    super("The client must answer input requests before this request can complete");
  }
}

/** The capability each input request needs from the client. */
export const CAPABILITY_FOR: Readonly<Record<InputRequest["method"], keyof ClientCapabilities>> = {
  "elicitation/create": "elicitation",
  "sampling/createMessage": "sampling",
  "roots/list": "roots",
};

/**
 * Runs a handler that may ask the client; a stateless ask ends it with the input_required result.
 * Handlers that answer in MCP terms (prompts, fixtures) use this; product tools go through the
 * tool runner, which knows the same signal.
 */
export async function answerOrAsk<T>(handler: () => Promise<T>): Promise<T | InputRequiredResult> {
  try {
    return await handler();
  } catch (error) {
    if (error instanceof InputRequired) return error.result;
    throw error;
  }
}
