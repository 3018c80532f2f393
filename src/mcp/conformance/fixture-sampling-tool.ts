import { CreateMessageResultSchema, type CreateMessageResult } from "@modelcontextprotocol/sdk/types.js";
import type { RawTool } from "../raw-tool.js";
import { describeError, errorResult, stringArgument, textResult } from "./tool-support.js";

function renderSampled(content: CreateMessageResult["content"]): string {
  return content.type === "text" ? content.text : `[${content.type} content]`;
}

/** Asks the client's LLM (sampling/createMessage) to answer the given prompt and relays its reply. */
export const SAMPLING_FIXTURE_TOOL: RawTool = {
  definition: {
    name: "test_sampling",
    description: "Conformance fixture: asks the client's LLM to answer a prompt via sampling/createMessage.",
    inputSchema: {
      type: "object",
      properties: { prompt: { type: "string", description: "The prompt to send to the LLM" } },
      required: ["prompt"],
    },
  },
  async call(args, extra) {
    const prompt = stringArgument(args, "prompt");
    if (prompt === undefined) return errorResult("Argument 'prompt' must be a string.");
    try {
      const sampled = await extra.sendRequest(
        {
          method: "sampling/createMessage",
          params: { messages: [{ role: "user", content: { type: "text", text: prompt } }], maxTokens: 100 },
        },
        CreateMessageResultSchema,
      );
      return textResult(`LLM response: ${renderSampled(sampled.content)}`);
    } catch (error) {
      // A client without the sampling capability answers "method not found"; the model gets that as a
      // tool error rather than the whole call failing.
      return errorResult(`Sampling failed: ${describeError(error)}`);
    }
  },
};
