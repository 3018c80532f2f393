import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ClientInput, InputRequest, InputResponse } from "../input/client-input.js";
import type { RawTool } from "../raw-tool.js";
import { NO_ARGUMENTS, errorResult, textResult } from "./tool-support.js";

// The keys, messages and schemas below are the ones the input-required scenarios specify.

function ask(message: string, field: string, type: "string" | "boolean"): InputRequest {
  const property = type === "string" ? { type: "string" as const } : { type: "boolean" as const };
  return {
    method: "elicitation/create",
    params: {
      message,
      requestedSchema: { type: "object", properties: { [field]: property }, required: [field] },
    },
  };
}

function sample(text: string, maxTokens: number): InputRequest {
  return {
    method: "sampling/createMessage",
    params: { messages: [{ role: "user", content: { type: "text", text } }], maxTokens },
  };
}

const LIST_ROOTS: InputRequest = { method: "roots/list", params: {} };

/** The accepted form's value of `field`, as text. */
function field(response: InputResponse | undefined, name: string): string {
  const content = response?.content;
  const value =
    typeof content === "object" && content !== null ? (content as Record<string, unknown>)[name] : undefined;
  if (value === undefined) return "(no answer)";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function sampledText(response: InputResponse | undefined): string {
  const content = response?.content as { type?: unknown; text?: unknown } | undefined;
  return content?.type === "text" && typeof content.text === "string" ? content.text : "(no text)";
}

function rootList(response: InputResponse | undefined): string {
  const roots = Array.isArray(response?.roots) ? (response.roots as { uri?: unknown }[]) : [];
  return roots.map((root) => String(root.uri)).join(", ");
}

/** A fixture tool that needs the client: without a way to reach it, it says so. */
function inputTool(
  name: string,
  description: string,
  run: (input: ClientInput) => Promise<CallToolResult>,
): RawTool {
  return {
    definition: { name, description, inputSchema: NO_ARGUMENTS },
    call: (_args, _extra, input) =>
      input === undefined ? Promise.resolve(errorResult(`${name} needs a client it can ask.`)) : run(input),
  };
}

const unbound = { bound: false } as const;

/** Tools that ask the client through ClientInput: input_required in the stateless era, requests on a session. */
export const INPUT_REQUIRED_FIXTURE_TOOLS: readonly RawTool[] = [
  inputTool(
    "test_input_required_result_elicitation",
    "Conformance fixture: asks the user's name.",
    async (input) => {
      const { user_name } = await input.request(
        { user_name: ask("What is your name?", "name", "string") },
        unbound,
      );
      return textResult(`Hello, ${field(user_name, "name")}!`);
    },
  ),
  inputTool(
    "test_input_required_result_sampling",
    "Conformance fixture: asks the client's LLM a question.",
    async (input) => {
      const { capital_question } = await input.request(
        { capital_question: sample("What is the capital of France?", 100) },
        unbound,
      );
      return textResult(`The model answered: ${sampledText(capital_question)}`);
    },
  ),
  inputTool(
    "test_input_required_result_list_roots",
    "Conformance fixture: asks for the client's roots.",
    async (input) => {
      const { client_roots } = await input.request({ client_roots: LIST_ROOTS }, unbound);
      return textResult(`The client's roots: ${rootList(client_roots)}`);
    },
  ),
  inputTool(
    "test_input_required_result_request_state",
    "Conformance fixture: asks for confirmation; the answer counts only with the signed requestState.",
    async (input) => {
      const { confirm } = await input.request(
        { confirm: ask("Please confirm", "ok", "boolean") },
        { bound: true },
      );
      return textResult(`state-ok: the requestState was verified; ok=${field(confirm, "ok")}`);
    },
  ),
  inputTool(
    "test_input_required_result_multiple_inputs",
    "Conformance fixture: asks a form, an LLM sampling and the roots at once.",
    async (input) => {
      const answers = await input.request(
        {
          user_name: ask("What is your name?", "name", "string"),
          greeting: sample("Generate a greeting", 50),
          client_roots: LIST_ROOTS,
        },
        unbound,
      );
      return textResult(
        `${sampledText(answers.greeting)}, ${field(answers.user_name, "name")} (roots: ${rootList(answers.client_roots)})`,
      );
    },
  ),
  inputTool(
    "test_input_required_result_multi_round",
    "Conformance fixture: asks two questions, one per round.",
    async (input) => {
      const { step1 } = await input.request(
        { step1: ask("Step 1: What is your name?", "name", "string") },
        unbound,
      );
      const { step2 } = await input.request(
        { step2: ask("Step 2: What is your favorite color?", "color", "string") },
        unbound,
      );
      return textResult(`${field(step1, "name")} likes ${field(step2, "color")}.`);
    },
  ),
  inputTool(
    "test_input_required_result_tampered_state",
    "Conformance fixture: asks for confirmation under an HMAC-signed requestState.",
    async (input) => {
      const { confirm } = await input.request(
        { confirm: ask("Please confirm", "ok", "boolean") },
        { bound: true },
      );
      return textResult(`Confirmed: ok=${field(confirm, "ok")}`);
    },
  ),
  inputTool(
    "test_input_required_result_capabilities",
    "Conformance fixture: asks only through the capabilities the request declared.",
    async (input) => {
      const requests: Record<string, InputRequest> = {};
      if (input.supports("elicitation/create"))
        requests.user_name = ask("What is your name?", "name", "string");
      if (input.supports("sampling/createMessage")) requests.greeting = sample("Generate a greeting", 50);
      if (Object.keys(requests).length === 0)
        return textResult("The client declared nothing this tool could ask through.");
      const answers = await input.request(requests, unbound);
      return textResult(`Answered: ${Object.keys(answers).join(", ")}`);
    },
  ),
  inputTool(
    "test_missing_capability",
    "Conformance fixture: needs sampling; a request that did not declare it gets -32021.",
    async (input) => {
      const { answer } = await input.request({ answer: sample("Say hello", 20) }, unbound);
      return textResult(`The model answered: ${sampledText(answer)}`);
    },
  ),
  inputTool(
    "test_streaming_elicitation",
    "Conformance fixture: asks the user in the middle of a call; the answer is input_required, never a request on the stream.",
    async (input) => {
      const { details } = await input.request(
        { details: ask("What should the call use?", "value", "string") },
        unbound,
      );
      return textResult(`The call used ${field(details, "value")}.`);
    },
  ),
];
