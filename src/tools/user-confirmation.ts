import { ToolError } from "../errors/tool-error.js";
import type { ToolContext } from "./tool-definition.js";

/** What to confirm: the question, and what to tell the model when the user says no. */
export interface Confirmation {
  /** Stable per question, so a stateless client's answer finds its way back. */
  readonly key: string;
  /** Shown to the user: what will happen, naming everything it touches. */
  readonly message: string;
  /** The action in a few words, e.g. "deploy web-frontend 2.1.0 to production". */
  readonly action: string;
  /** What did not happen, e.g. "Nothing was deployed." */
  readonly nothingDone: string;
}

/**
 * Asks the user to confirm a consequential action before the tool takes it. Resolves "confirmed"
 * on a yes, or "not_asked" when the client cannot ask (it declared no elicitation): the caller's
 * permission check is then the only guard, as before clients could be asked. Throws a
 * non-retryable `cancelled` error on a no or a dismissed form, telling the model nothing happened.
 */
export async function confirmWithUser(
  ctx: ToolContext,
  confirmation: Confirmation,
): Promise<"confirmed" | "not_asked"> {
  const answer = await ctx.askUser(confirmation.key, {
    message: confirmation.message,
    fields: {
      confirm: {
        type: "boolean",
        title: "Confirm",
        description: `Yes: ${confirmation.action}.`,
        default: false,
      },
    },
    required: ["confirm"],
  });
  if (answer === undefined) return "not_asked";
  if (answer.action === "accept" && answer.content.confirm === true) return "confirmed";
  const reason = answer.action === "cancel" ? "user_dismissed" : "user_declined";
  const how = answer.action === "cancel" ? "dismissed the confirmation" : "did not confirm";
  throw new ToolError("cancelled", `The user ${how}: ${confirmation.action}. ${confirmation.nothingDone}`, {
    suggestion: `Tell the user that ${confirmation.nothingDone.charAt(0).toLowerCase()}${confirmation.nothingDone.slice(1)} Do not call again unless the user asks for it again.`,
    details: { reason, action: confirmation.action },
  });
}
