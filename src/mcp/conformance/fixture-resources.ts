import { ResourceTemplate, type McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { RED_PIXEL_PNG_BASE64 } from "./media.js";

/** The resource the subscribe/unsubscribe scenarios watch. */
export const WATCHED_RESOURCE_URI = "test://watched-resource";

// A template variable may arrive as a list when the template uses explode syntax; ours never does,
// but the type allows it, so join rather than assume.
function single(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(",") : (value ?? "");
}

/** Registers the fixed resources and the one template the resource scenarios read. */
export function registerFixtureResources(mcp: McpServer): void {
  mcp.registerResource(
    "static-text",
    "test://static-text",
    { description: "Conformance fixture: a fixed text resource.", mimeType: "text/plain" },
    (uri) => ({
      contents: [
        { uri: uri.href, mimeType: "text/plain", text: "This is the content of the static text resource." },
      ],
    }),
  );

  mcp.registerResource(
    "static-binary",
    "test://static-binary",
    { description: "Conformance fixture: a fixed binary resource (1x1 PNG).", mimeType: "image/png" },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: "image/png", blob: RED_PIXEL_PNG_BASE64 }] }),
  );

  mcp.registerResource(
    "watched-resource",
    WATCHED_RESOURCE_URI,
    { description: "Conformance fixture: a resource clients may subscribe to.", mimeType: "text/plain" },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: "text/plain", text: "Watched resource content." }] }),
  );

  // list: undefined keeps the template out of resources/list; it appears in resources/templates/list.
  mcp.registerResource(
    "template-data",
    new ResourceTemplate("test://template/{id}/data", { list: undefined }),
    {
      description: "Conformance fixture: JSON data for any id, substituted from the URI.",
      mimeType: "application/json",
    },
    (uri, variables) => {
      const id = single(variables["id"]);
      return {
        contents: [
          {
            uri: uri.href,
            mimeType: "application/json",
            text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
          },
        ],
      };
    },
  );
}
