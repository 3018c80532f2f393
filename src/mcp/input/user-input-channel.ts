import type { ElicitRequestFormParams } from "@modelcontextprotocol/sdk/types.js";
import type { UserAnswer, UserInputChannel, UserQuestion } from "../../tools/user-input.js";
import type { ClientInput, InputResponse } from "./client-input.js";

/**
 * The product's way of asking the user (src/tools/user-input.ts) on top of this request's client
 * input: a form-mode elicitation. Absent when the client did not declare elicitation, so the tool
 * knows it cannot ask. Product questions are bound: in the stateless era an answer counts only
 * for a question this server asked, as its signed requestState shows.
 */
export function userInputChannel(input: ClientInput | undefined): UserInputChannel | undefined {
  if (input === undefined || !input.supports("elicitation/create")) return undefined;
  return {
    async ask(key, question, signal) {
      const request = { method: "elicitation/create", params: elicitationParams(question) } as const;
      const answers = await input.request({ [key]: request }, { bound: true, signal });
      return userAnswer(answers[key]);
    },
  };
}

function elicitationParams(question: UserQuestion): ElicitRequestFormParams {
  return {
    message: question.message,
    requestedSchema: {
      type: "object",
      properties: Object.fromEntries(
        Object.entries(question.fields).map(([name, field]) => [
          name,
          field.type === "string" && field.enum !== undefined
            ? { ...field, enum: [...field.enum] }
            : { ...field },
        ]),
      ),
      ...(question.required === undefined ? {} : { required: [...question.required] }),
    },
  };
}

function userAnswer(response: InputResponse | undefined): UserAnswer {
  const action = response?.action;
  const content = response?.content;
  if (action === "accept" && typeof content === "object" && content !== null) {
    return { action, content: content as Record<string, unknown> };
  }
  return action === "decline" ? { action } : { action: "cancel" };
}
