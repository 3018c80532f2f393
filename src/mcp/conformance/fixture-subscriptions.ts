import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from "@modelcontextprotocol/sdk/types.js";

/**
 * Answers resources/subscribe and resources/unsubscribe and declares `resources.subscribe`. Must run
 * before connect, because capabilities are frozen once a transport is attached.
 *
 * The fixture resources never change, so no `notifications/resources/updated` is ever due; the set is
 * kept so unsubscribe has something to undo and callers can observe the bookkeeping. It lives per
 * server, i.e. per session, because subscriptions belong to a session.
 */
export function registerFixtureSubscriptions(mcp: McpServer): ReadonlySet<string> {
  const subscribed = new Set<string>();
  // McpServer has no API for subscriptions, so these go on the underlying protocol server.
  const { server } = mcp;
  server.registerCapabilities({ resources: { subscribe: true } });
  server.setRequestHandler(SubscribeRequestSchema, (request) => {
    subscribed.add(request.params.uri);
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });
  return subscribed;
}
