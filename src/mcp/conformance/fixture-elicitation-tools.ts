import { ElicitResultSchema, type ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import type { McpRequestExtra, RawTool } from "../raw-tool.js";
import {
  DEFAULTS_SCHEMA,
  ENUMS_SCHEMA,
  USER_DETAILS_SCHEMA,
  type RequestedSchema,
} from "./elicitation-schemas.js";
import { describeError, errorResult, NO_ARGUMENTS, stringArgument, textResult } from "./tool-support.js";

function describeAnswer(answer: ElicitResult): string {
  return `action=${answer.action}, content=${JSON.stringify(answer.content ?? {})}`;
}

async function elicit(
  extra: McpRequestExtra,
  message: string,
  requestedSchema: RequestedSchema,
): Promise<ElicitResult> {
  return extra.sendRequest(
    { method: "elicitation/create", params: { message, requestedSchema } },
    ElicitResultSchema,
  );
}

// A client without the elicitation capability answers "method not found"; that becomes a tool error.
function elicitationFailed(error: unknown) {
  return errorResult(`Elicitation failed: ${describeError(error)}`);
}

const basicElicitation: RawTool = {
  definition: {
    name: "test_elicitation",
    description: "Conformance fixture: asks the user for a username and email via elicitation/create.",
    inputSchema: {
      type: "object",
      properties: { message: { type: "string", description: "The message to show the user" } },
      required: ["message"],
    },
  },
  async call(args, extra) {
    const message = stringArgument(args, "message");
    if (message === undefined) return errorResult("Argument 'message' must be a string.");
    try {
      return textResult(
        `User response: ${describeAnswer(await elicit(extra, message, USER_DETAILS_SCHEMA))}`,
      );
    } catch (error) {
      return elicitationFailed(error);
    }
  },
};

function schemaElicitation(
  name: string,
  description: string,
  message: string,
  schema: RequestedSchema,
): RawTool {
  return {
    definition: { name, description, inputSchema: NO_ARGUMENTS },
    async call(_args, extra) {
      try {
        return textResult(`Elicitation completed: ${describeAnswer(await elicit(extra, message, schema))}`);
      } catch (error) {
        return elicitationFailed(error);
      }
    },
  };
}

/** Tools that ask the user for input through the client (elicitation/create). */
export const ELICITATION_FIXTURE_TOOLS: readonly RawTool[] = [
  basicElicitation,
  schemaElicitation(
    "test_elicitation_sep1034_defaults",
    "Conformance fixture (SEP-1034): elicits a form whose every primitive field has a default.",
    "Please review these details; each field is pre-filled with a default.",
    DEFAULTS_SCHEMA,
  ),
  schemaElicitation(
    "test_elicitation_sep1330_enums",
    "Conformance fixture (SEP-1330): elicits a form using every enum schema variant.",
    "Please pick from each list.",
    ENUMS_SCHEMA,
  ),
];
