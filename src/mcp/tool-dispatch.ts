import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type CallToolResult,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { findSimilar } from "../errors/similar-matches.js";
import { TOOL_FAILURE_META_KEY } from "../errors/tool-failure.js";
import { UnknownToolError, comparableToolName } from "../errors/unknown-tool-error.js";
import type { ToolCallOutcome, ToolRunner } from "../tools/tool-runner.js";
import {
  InputRequired,
  answerOrAsk,
  type ClientInput,
  type InputRequiredResult,
} from "./input/client-input.js";
import { userInputChannel } from "./input/user-input-channel.js";
import { postItemsOfAuthInfo, principalOfAuthInfo, quotaKeyOfAuthInfo } from "./principal-auth-info.js";
import { ProtocolError } from "./protocol-error.js";
import type { ClientInputSource, McpRequestExtra, RawTool } from "./raw-tool.js";
import { requestIdOf } from "./request-info.js";

/**
 * Every tool a server serves: the tool runner's, plus raw MCP tools (the conformance fixtures when
 * enabled). It owns tools/list and tools/call on each server it is installed on (McpServer's own
 * tool API stays unused), so unknown tools are a JSON-RPC -32602 and every product call goes
 * through the runner with its error discipline.
 */
export class ToolDispatch {
  private readonly raw: ReadonlyMap<string, RawTool>;
  private readonly listing: { tools: Tool[] };
  private readonly names: readonly string[];

  constructor(
    private readonly runner: ToolRunner,
    rawTools: readonly RawTool[] = [],
  ) {
    this.raw = new Map(rawTools.map((tool) => [tool.definition.name, tool]));
    const tools: Tool[] = [
      ...runner.list().map((tool) => ({ ...tool })),
      ...rawTools.map((tool) => tool.definition),
    ];
    this.listing = { tools };
    this.names = tools.map((tool) => tool.name);
  }

  isKnownTool = (name: string): boolean => this.runner.has(name) || this.raw.has(name);

  /** Owns tools/list and tools/call on `mcp`; `inputFor` says how each call reaches its client. */
  install(mcp: McpServer, inputFor: ClientInputSource): void {
    mcp.server.registerCapabilities({ tools: { listChanged: false } });
    mcp.server.setRequestHandler(ListToolsRequestSchema, () => this.listing);
    mcp.server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
      this.call(request.params.name, request.params.arguments ?? {}, extra, inputFor(extra)),
    );
  }

  private async call(
    name: string,
    args: Record<string, unknown>,
    extra: McpRequestExtra,
    input: ClientInput | undefined,
  ): Promise<CallToolResult> {
    const raw = this.raw.get(name);
    if (raw !== undefined) return asToolResult(await answerOrAsk(() => raw.call(args, extra, input)));
    try {
      return toCallToolResult(await this.runner.call(name, args, callContext(extra, input)));
    } catch (error) {
      if (error instanceof InputRequired) return asToolResult(error.result);
      if (error instanceof UnknownToolError) throw this.unknownTool(name, error);
      throw error;
    }
  }

  /**
   * The runner's unknown-tool error as JSON-RPC -32602 with its wording and data (the reference id
   * it was logged under included), suggesting from every tool served here.
   */
  private unknownTool(name: string, error: UnknownToolError): ProtocolError {
    const served =
      this.raw.size === 0
        ? error
        : new UnknownToolError(
            name,
            findSimilar(comparableToolName(name), this.names, { limit: 3 }),
            error.referenceId,
          );
    return new ProtocolError(served.code, served.message, served.data);
  }
}

function callContext(extra: McpRequestExtra, input: ClientInput | undefined) {
  const progressToken = extra._meta?.progressToken;
  const userInput = userInputChannel(input);
  const principal = principalOfAuthInfo(extra.authInfo);
  const quotaKey = quotaKeyOfAuthInfo(extra.authInfo);
  const postItems = postItemsOfAuthInfo(extra.authInfo);
  const requestId = requestIdOf(extra.requestInfo);
  return {
    signal: extra.signal,
    ...(progressToken === undefined
      ? {}
      : {
          reportProgress: (progress: number, total?: number, message?: string) =>
            extra.sendNotification({
              method: "notifications/progress",
              params: { progressToken, progress, total, message },
            }),
        }),
    ...(principal === undefined ? {} : { principal }),
    ...(quotaKey === undefined ? {} : { quotaKey }),
    ...(postItems === undefined ? {} : { postItems }),
    // The id the request logger gave the HTTP request carrying this call (see ServedRequestInfo).
    ...(requestId === undefined ? {} : { requestId }),
    ...(userInput === undefined ? {} : { userInput }),
  };
}

/**
 * tools/call answers with either. The SDK's v1 result schema knows only the first: it passes the
 * input_required fields through and adds an empty `content`, which the stateless encoder drops.
 */
function asToolResult(result: CallToolResult | InputRequiredResult): CallToolResult {
  return result as CallToolResult;
}

/**
 * Clients that drop structuredContent still see the whole envelope as text. The experimental
 * machine-readable failure block travels beside the envelope, in `_meta`, never in it.
 */
function toCallToolResult(outcome: ToolCallOutcome): CallToolResult {
  const envelope: object = outcome.envelope;
  return {
    content: [{ type: "text", text: JSON.stringify(envelope) }],
    structuredContent: envelope as Record<string, unknown>,
    isError: outcome.isError,
    ...(outcome.failure === undefined ? {} : { _meta: { [TOOL_FAILURE_META_KEY]: outcome.failure } }),
  };
}
