import type { JSONRPCRequest, JSONRPCResponse } from "@modelcontextprotocol/sdk/types.js";
import { operationErrorLabels } from "../observability/operation-labels.js";
import type { McpEndpointHooks, McpRequestEvent } from "./endpoint-hooks.js";
import { UNOBSERVED, type RequestObserver } from "./request-observer.js";

/** Methods a client may call; anything else is reported as "other" so label values stay a closed set. */
const KNOWN_METHODS = new Set([
  "initialize",
  "ping",
  "server/discover",
  "subscriptions/listen",
  "tools/list",
  "tools/call",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "resources/subscribe",
  "resources/unsubscribe",
  "prompts/list",
  "prompts/get",
  "completion/complete",
  "logging/setLevel",
]);

/**
 * Turns a transport's view of each request into the endpoint's hooks: McpRequestEvents for
 * onRequestDone (below) and, when set, onRequestStarted with the request as sent and its caller.
 */
export function requestEvents(
  hooks: McpEndpointHooks,
  era: McpRequestEvent["era"],
  isKnownTool: (name: string) => boolean,
  knownVersions: readonly string[],
): RequestObserver {
  const done = doneEvents(hooks, era, isKnownTool, knownVersions);
  const start = hooks.onRequestStarted;
  if (start === undefined) return done;
  return {
    requestStarted(request, protocolVersion, caller = {}) {
      const toolName =
        request.method === "tools/call" ? toolLabel(request.params?.name, isKnownTool) : undefined;
      const traced = start({ request, protocolVersion, era, toolName, caller });
      const counted = done.requestStarted(request, protocolVersion, caller);
      return (response) => {
        counted(response);
        traced(response);
      };
    },
  };
}

/**
 * McpRequestEvents for onRequestDone: the method, the tool (registered names only, so a client
 * cannot mint label values), the protocol version, the outcome and the time from arrival to answer.
 */
function doneEvents(
  hooks: McpEndpointHooks,
  era: McpRequestEvent["era"],
  isKnownTool: (name: string) => boolean,
  knownVersions: readonly string[],
): RequestObserver {
  const report = hooks.onRequestDone;
  if (report === undefined) return UNOBSERVED;
  return {
    requestStarted(request: JSONRPCRequest, protocolVersion: string) {
      const started = process.hrtime.bigint();
      const method = KNOWN_METHODS.has(request.method) ? request.method : "other";
      const toolName = method === "tools/call" ? toolLabel(request.params?.name, isKnownTool) : undefined;
      const version = knownVersions.includes(protocolVersion) ? protocolVersion : "other";
      return (response: JSONRPCResponse) => {
        const error = "error" in response ? response.error : undefined;
        const result = "result" in response ? response.result : undefined;
        report({
          errorType: operationErrorLabels(response).error_type,
          method,
          toolName,
          protocolVersion: version,
          era,
          errorCode: error?.code,
          toolError: result?.isError === true,
          durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
        });
      };
    },
  };
}

function toolLabel(name: unknown, isKnownTool: (name: string) => boolean): string {
  return typeof name === "string" && isKnownTool(name) ? name : "unknown";
}
