import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import { z } from "zod";
import { answerOrAsk, type InputRequest } from "../input/client-input.js";
import type { ClientInputSource, McpRequestExtra } from "../raw-tool.js";
import { RED_PIXEL_PNG_BASE64 } from "./media.js";

// A fixed vocabulary is enough: the completion scenario checks the response shape, not relevance.
const SUGGESTIONS = ["hello", "help", "test", "testing", "world"] as const;

function suggest(prefix: string): string[] {
  return SUGGESTIONS.filter((word) => word.startsWith(prefix));
}

/**
 * Registers the prompts the prompt scenarios get. Prompt arguments are strings on the wire; making
 * them completable is what lets `completion/complete` answer for `ref/prompt` (and declares the
 * `completions` capability).
 */
export function registerFixturePrompts(mcp: McpServer, inputFor: ClientInputSource): void {
  mcp.registerPrompt(
    "test_simple_prompt",
    { description: "Conformance fixture: a prompt without arguments." },
    () => ({
      messages: [{ role: "user", content: { type: "text", text: "This is a simple prompt for testing." } }],
    }),
  );

  mcp.registerPrompt(
    "test_prompt_with_arguments",
    {
      description: "Conformance fixture: a prompt that substitutes two arguments.",
      argsSchema: {
        arg1: completable(z.string().describe("First test argument"), suggest),
        arg2: completable(z.string().describe("Second test argument"), suggest),
      },
    },
    ({ arg1, arg2 }) => ({
      messages: [
        {
          role: "user",
          content: { type: "text", text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` },
        },
      ],
    }),
  );

  mcp.registerPrompt(
    "test_prompt_with_embedded_resource",
    {
      description: "Conformance fixture: a prompt that embeds the resource named by its argument.",
      argsSchema: { resourceUri: z.string().describe("URI of the resource to embed") },
    },
    ({ resourceUri }) => ({
      messages: [
        {
          role: "user",
          content: {
            type: "resource",
            resource: {
              uri: resourceUri,
              mimeType: "text/plain",
              text: "Embedded resource content for testing.",
            },
          },
        },
        { role: "user", content: { type: "text", text: "Please process the embedded resource above." } },
      ],
    }),
  );

  mcp.registerPrompt(
    "test_prompt_with_image",
    { description: "Conformance fixture: a prompt carrying an image." },
    () => ({
      messages: [
        { role: "user", content: { type: "image", data: RED_PIXEL_PNG_BASE64, mimeType: "image/png" } },
        { role: "user", content: { type: "text", text: "Please analyze the image above." } },
      ],
    }),
  );

  // prompts/get may ask the client too (the stateless era's input_required is not for tools only).
  const askForContext = async (extra: McpRequestExtra) => {
    const input = inputFor(extra);
    if (input === undefined) throw new Error("This prompt needs a client it can ask for the context.");
    return answerOrAsk(async () => {
      const { user_context } = await input.request({ user_context: CONTEXT_QUESTION }, { bound: false });
      const content = user_context?.content as { context?: unknown } | undefined;
      return {
        messages: [
          {
            role: "user" as const,
            content: { type: "text" as const, text: `Use this context: ${String(content?.context)}` },
          },
        ],
      };
    });
  };
  mcp.registerPrompt(
    "test_input_required_result_prompt",
    { description: "Conformance fixture: a prompt that asks the user for its context first." },
    // The SDK calls a prompt without arguments with `extra` alone, though its types always put
    // the arguments first; and its result types know only complete results.
    askForContext as unknown as Parameters<McpServer["registerPrompt"]>[2],
  );
}

const CONTEXT_QUESTION: InputRequest = {
  method: "elicitation/create",
  params: {
    message: "What context should the prompt use?",
    requestedSchema: { type: "object", properties: { context: { type: "string" } }, required: ["context"] },
  },
};
