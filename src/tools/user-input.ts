/**
 * Asking the user from inside a tool, in terms of the product: a short form, and the user's answer.
 * The MCP layer carries it in whichever way the client's protocol era allows (a server→client
 * request on a 2025 session; an `input_required` result and a retry in the stateless era), so a
 * tool asks the same way in both.
 */

/** One field of the form: the small JSON Schema subset MCP clients render. */
export type UserQuestionField =
  | {
      readonly type: "boolean";
      readonly title?: string;
      readonly description?: string;
      readonly default?: boolean;
    }
  | {
      readonly type: "string";
      readonly title?: string;
      readonly description?: string;
      readonly enum?: readonly string[];
      readonly default?: string;
    };

/** What to ask: a message for the user and the form to fill in. */
export interface UserQuestion {
  readonly message: string;
  readonly fields: Readonly<Record<string, UserQuestionField>>;
  readonly required?: readonly string[];
}

/** The user's answer: the filled-in form, or a refusal (decline) or dismissal (cancel). */
export type UserAnswer =
  | { readonly action: "accept"; readonly content: Readonly<Record<string, unknown>> }
  | { readonly action: "decline" }
  | { readonly action: "cancel" };

/** How the MCP layer reaches the user for one call. */
export interface UserInputChannel {
  /**
   * Asks `question` under `key` (stable for the question, so a stateless client's answer finds
   * its way back). Throws AwaitingUserInput when the call must end in order to ask.
   */
  ask(key: string, question: UserQuestion, signal: AbortSignal): Promise<UserAnswer>;
}

/**
 * Thrown by a channel that can only ask by ending the call (the stateless era): the call's answer
 * is then the question, and the client calls again with the user's answer. Not a failure.
 */
export class AwaitingUserInput extends Error {
  override readonly name: string = "AwaitingUserInput";
}
