import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ServerCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

const DiscoverRequestSchema = z.object({
  method: z.literal("server/discover"),
  params: z.looseObject({}).optional(),
});

/**
 * Answers `server/discover`, which every stateless-era server must: the protocol versions it
 * speaks (both eras: a 2025 client initializes, a 2026 client sends `_meta`), its capabilities and
 * instructions. The stateless encoder adds serverInfo and the cache hints.
 */
export function installDiscover(
  mcp: McpServer,
  supportedVersions: readonly string[],
  instructions: string,
): void {
  mcp.server.setRequestHandler(DiscoverRequestSchema, () => ({
    supportedVersions: [...supportedVersions],
    capabilities: advertised(capabilitiesOf(mcp)),
    instructions,
  }));
}

/**
 * The capabilities the server's registrations declared. The SDK marks the getter private in its
 * types (it serves initialize); reading it keeps discover and initialize from ever disagreeing.
 */
export function capabilitiesOf(mcp: McpServer): ServerCapabilities {
  return (mcp.server as unknown as { getCapabilities(): ServerCapabilities }).getCapabilities();
}

/**
 * The capabilities as a stateless client may rely on them: nothing here ever changes while the
 * server runs and resources cannot be watched, so no listChanged and no subscribe (a
 * subscriptions/listen stream would never carry those notifications).
 */
function advertised(capabilities: ServerCapabilities): ServerCapabilities {
  const { tools, prompts, resources, ...rest } = capabilities;
  return {
    ...rest,
    ...(tools === undefined ? {} : { tools: {} }),
    ...(prompts === undefined ? {} : { prompts: {} }),
    ...(resources === undefined ? {} : { resources: {} }),
  };
}
