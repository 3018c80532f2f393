import type { ElicitRequestFormParams } from "@modelcontextprotocol/sdk/types.js";

/** The form a fixture asks the client to fill in. */
export type RequestedSchema = ElicitRequestFormParams["requestedSchema"];

/** Plain user details, as the basic elicitation scenario specifies. */
export const USER_DETAILS_SCHEMA: RequestedSchema = {
  type: "object",
  properties: {
    username: { type: "string", description: "User's response" },
    email: { type: "string", description: "User's email address" },
  },
  required: ["username", "email"],
};

/** One field per primitive type, each carrying a default (SEP-1034). The values are the scenario's. */
export const DEFAULTS_SCHEMA: RequestedSchema = {
  type: "object",
  properties: {
    name: { type: "string", description: "Full name", default: "John Doe" },
    age: { type: "integer", description: "Age in years", default: 30 },
    score: { type: "number", description: "Score", default: 95.5 },
    status: {
      type: "string",
      description: "Account status",
      enum: ["active", "inactive", "pending"],
      default: "active",
    },
    verified: { type: "boolean", description: "Whether the account is verified", default: true },
  },
};

/** Every enum flavour SEP-1330 defines, one field each, named as the scenario expects. */
export const ENUMS_SCHEMA: RequestedSchema = {
  type: "object",
  properties: {
    untitledSingle: {
      type: "string",
      description: "Single choice, bare values",
      enum: ["option1", "option2", "option3"],
    },
    titledSingle: {
      type: "string",
      description: "Single choice, labelled values",
      oneOf: [
        { const: "value1", title: "First Option" },
        { const: "value2", title: "Second Option" },
        { const: "value3", title: "Third Option" },
      ],
    },
    legacyEnum: {
      type: "string",
      description: "Single choice, deprecated enumNames labels",
      enum: ["opt1", "opt2", "opt3"],
      enumNames: ["Option One", "Option Two", "Option Three"],
    },
    untitledMulti: {
      type: "array",
      description: "Several choices, bare values",
      items: { type: "string", enum: ["option1", "option2", "option3"] },
    },
    titledMulti: {
      type: "array",
      description: "Several choices, labelled values",
      items: {
        anyOf: [
          { const: "value1", title: "First Choice" },
          { const: "value2", title: "Second Choice" },
          { const: "value3", title: "Third Choice" },
        ],
      },
    },
  },
};
