import type { RawTool } from "../raw-tool.js";
import { RED_PIXEL_PNG_BASE64, SILENT_WAV_BASE64 } from "./media.js";
import { errorResult, NO_ARGUMENTS, textResult } from "./tool-support.js";

// The exact texts and URIs below are the ones the conformance scenarios describe.

const simpleText: RawTool = {
  definition: {
    name: "test_simple_text",
    description: "Conformance fixture: answers with a single text block.",
    inputSchema: NO_ARGUMENTS,
  },
  call: () => Promise.resolve(textResult("This is a simple text response for testing.")),
};

const imageContent: RawTool = {
  definition: {
    name: "test_image_content",
    description: "Conformance fixture: answers with a 1x1 PNG image block.",
    inputSchema: NO_ARGUMENTS,
  },
  call: () =>
    Promise.resolve({ content: [{ type: "image", data: RED_PIXEL_PNG_BASE64, mimeType: "image/png" }] }),
};

const audioContent: RawTool = {
  definition: {
    name: "test_audio_content",
    description: "Conformance fixture: answers with a tiny WAV audio block.",
    inputSchema: NO_ARGUMENTS,
  },
  call: () =>
    Promise.resolve({ content: [{ type: "audio", data: SILENT_WAV_BASE64, mimeType: "audio/wav" }] }),
};

const embeddedResource: RawTool = {
  definition: {
    name: "test_embedded_resource",
    description: "Conformance fixture: answers with an embedded text resource.",
    inputSchema: NO_ARGUMENTS,
  },
  call: () =>
    Promise.resolve({
      content: [
        {
          type: "resource",
          resource: {
            uri: "test://embedded-resource",
            mimeType: "text/plain",
            text: "This is an embedded resource content.",
          },
        },
      ],
    }),
};

const multipleContentTypes: RawTool = {
  definition: {
    name: "test_multiple_content_types",
    description: "Conformance fixture: answers with text, image and embedded resource blocks together.",
    inputSchema: NO_ARGUMENTS,
  },
  call: () =>
    Promise.resolve({
      content: [
        { type: "text", text: "Multiple content types test:" },
        { type: "image", data: RED_PIXEL_PNG_BASE64, mimeType: "image/png" },
        {
          type: "resource",
          resource: {
            uri: "test://mixed-content-resource",
            mimeType: "application/json",
            text: JSON.stringify({ test: "data", value: 123 }),
          },
        },
      ],
    }),
};

// A tool failure is reported in the result (isError), not as a JSON-RPC error, so the model sees it.
const errorHandling: RawTool = {
  definition: {
    name: "test_error_handling",
    description: "Conformance fixture: always fails, reporting the failure as an isError result.",
    inputSchema: NO_ARGUMENTS,
  },
  call: () => Promise.resolve(errorResult("This tool intentionally returns an error for testing")),
};

/** Tools whose whole behaviour is the shape of the content they return. */
export const CONTENT_FIXTURE_TOOLS: readonly RawTool[] = [
  simpleText,
  imageContent,
  audioContent,
  embeddedResource,
  multipleContentTypes,
  errorHandling,
];
