import type { ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { inputResponse, MissingRequiredClientCapabilityError } from "@modelcontextprotocol/server";
import {
  CAPABILITY_FOR,
  InputRequired,
  type ClientInput,
  type InputRequest,
  type InputResponse,
} from "./client-input.js";
import { questionDigest, type RequestStates, type StateBinding, type StatePayload } from "./request-state.js";

/** What one stateless request brings for answering input requests. */
export interface StatelessInputContext {
  /** The capabilities this request declared in its `_meta` (never those of earlier requests). */
  readonly capabilities: ClientCapabilities;
  /** params.inputResponses, already checked to be an object of objects. */
  readonly responses: Readonly<Record<string, InputResponse>> | undefined;
  /** params.requestState, already verified, bound and spent. */
  readonly state: StatePayload | undefined;
  readonly binding: StateBinding;
  readonly states: RequestStates;
}

/**
 * Client input in the stateless era: answers come with the request (inputResponses, and earlier
 * rounds' answers inside the signed requestState); a question still unanswered ends the request
 * with `input_required`, naming every missing question and carrying a new requestState, and the
 * handler runs again from the start when the client retries with the answers. A client that did
 * not declare a capability a question needs gets -32021 (MissingRequiredClientCapability).
 */
export function statelessClientInput(context: StatelessInputContext): ClientInput {
  const supports = (method: InputRequest["method"]) =>
    context.capabilities[CAPABILITY_FOR[method]] !== undefined;
  // Answers known so far in this round, to be carried into the next round's state.
  const known: Record<string, { digest: string; response: InputResponse }> = { ...context.state?.answers };
  return {
    supports,
    async request(requests, options) {
      const unsupported = Object.values(requests).filter((request) => !supports(request.method));
      if (unsupported.length > 0) {
        const requiredCapabilities = Object.fromEntries(
          unsupported.map((request) => [CAPABILITY_FOR[request.method], {}]),
        );
        throw new MissingRequiredClientCapabilityError({ requiredCapabilities });
      }
      const answers: Record<string, InputResponse> = {};
      const missing: Record<string, InputRequest> = {};
      const asked: Record<string, string> = {};
      for (const [key, request] of Object.entries(requests)) {
        const digest = questionDigest(request);
        const answer = findAnswer(context, known, key, request, digest, options.bound);
        if (answer === undefined) {
          missing[key] = request;
          asked[key] = digest;
          continue;
        }
        answers[key] = answer;
        known[key] = { digest, response: answer };
      }
      if (Object.keys(missing).length === 0) return answers;
      const requestState = await context.states.seal({ ...context.binding, asked, answers: known });
      throw new InputRequired({ resultType: "input_required", inputRequests: missing, requestState });
    },
  };
}

/**
 * An answer to exactly this question: from an earlier round (kept in the state), or sent with
 * this request. A bound question takes a new answer only when the state shows this server asked it.
 */
function findAnswer(
  context: StatelessInputContext,
  known: Readonly<Record<string, { digest: string; response: InputResponse }>>,
  key: string,
  request: InputRequest,
  digest: string,
  bound: boolean,
): InputResponse | undefined {
  const earlier = known[key];
  if (earlier?.digest === digest) return earlier.response;
  const response = context.responses?.[key];
  if (response === undefined || !answers(request, response)) return undefined;
  if (bound && context.state?.asked[key] !== digest) return undefined;
  return response;
}

/** The kind of answer each input request takes, as the SDK's inputResponse view names it. */
const ANSWER_KIND: Readonly<Record<InputRequest["method"], string>> = {
  "elicitation/create": "elicit",
  "sampling/createMessage": "sampling",
  "roots/list": "roots",
};

/** Whether `response` has the shape of a result for `request` (a wrong shape is asked again). */
function answers(request: InputRequest, response: InputResponse): boolean {
  return inputResponse({ answer: response }, "answer").kind === ANSWER_KIND[request.method];
}
