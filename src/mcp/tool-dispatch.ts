import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type CallToolResult,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { TOOL_FAILURE_META_KEY } from "../errors/tool-failure.js";
import type { Principal } from "../tools/tool-definition.js";
import { principalOfAuthInfo } from "./principal-auth-info.js";
import { findSimilar } from "../errors/similar-matches.js";
import { UnknownToolError, comparableToolName } from "../errors/unknown-tool-error.js";
import type { McpRequestExtra, RawTool } from "./raw-tool.js";

/**
 * An error the SDK turns into a JSON-RPC error with exactly this code, message and data. (The
 * SDK's McpError prefixes "MCP error -32602:" to the message, which a model does not need.)
 */
export class ProtocolError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ProtocolError";
  }
}

/** What the MCP layer needs from the product's tools (the tool runner provides it). */
export interface ProductTools {
  /** The tools/list entries, computed once. */
  list(): readonly Tool[];
  has(name: string): boolean;
  call(
    name: string,
    args: unknown,
    context: ToolCallContext,
  ): Promise<{ envelope: object; isError: boolean; failure?: object }>;
  /** Registered names nearest to an unknown one, best first. */
  nearest(name: string, candidates: readonly string[]): string[];
}

/** What a product tool call receives from the protocol layer, in SDK-free terms. */
export interface ToolCallContext {
  readonly signal: AbortSignal;
  readonly reportProgress?: (progress: number, total?: number, message?: string) => Promise<void>;
  /** The HTTP request's X-Request-Id, when the transport passed the request's headers. */
  readonly requestId: string | undefined;
  /** Who is calling; undefined for an anonymous caller. */
  readonly principal?: Principal;
}

/** Every tool a session serves: the product's, plus the conformance fixtures when enabled. */
export class ToolDispatch {
  private readonly raw: ReadonlyMap<string, RawTool>;
  private readonly listing: { tools: Tool[] };
  private readonly names: readonly string[];

  constructor(
    private readonly product: ProductTools,
    rawTools: readonly RawTool[] = [],
  ) {
    this.raw = new Map(rawTools.map((tool) => [tool.definition.name, tool]));
    const tools = [...product.list(), ...rawTools.map((tool) => tool.definition)];
    this.listing = { tools };
    this.names = tools.map((tool) => tool.name);
  }

  isKnownTool = (name: string): boolean => this.product.has(name) || this.raw.has(name);

  /** Owns tools/list and tools/call on the session's server (McpServer's own tool API stays unused). */
  install(mcp: McpServer): void {
    mcp.server.registerCapabilities({ tools: { listChanged: false } });
    mcp.server.setRequestHandler(ListToolsRequestSchema, () => this.listing);
    mcp.server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
      this.call(request.params.name, request.params.arguments, extra),
    );
  }

  private async call(name: string, args: unknown, extra: McpRequestExtra): Promise<CallToolResult> {
    const raw = this.raw.get(name);
    if (raw !== undefined) return raw.call((args ?? {}) as Record<string, unknown>, extra);

    const progressToken = extra._meta?.progressToken;
    const reportProgress =
      progressToken === undefined
        ? undefined
        : (progress: number, total?: number, message?: string) =>
            extra.sendNotification({
              method: "notifications/progress",
              params: { progressToken, progress, total, message },
            });
    // Unknown names go to the runner too: it counts and logs them like any failed call.
    const { envelope, isError, failure } = await this.product
      .call(name, args ?? {}, {
        signal: extra.signal,
        reportProgress,
        requestId: httpRequestId(extra),
        principal: principalOfAuthInfo(extra.authInfo),
      })
      .catch((error: unknown) => {
        throw error instanceof UnknownToolError ? this.unknownTool(name, error) : error;
      });
    // Clients that drop structuredContent still see the whole envelope as text.
    return {
      content: [{ type: "text", text: JSON.stringify(envelope) }],
      structuredContent: envelope as Record<string, unknown>,
      isError,
      // The experimental machine-readable failure block travels beside the envelope, never in it.
      ...(failure === undefined ? {} : { _meta: { [TOOL_FAILURE_META_KEY]: failure } }),
    };
  }

  /**
   * Unknown tools are a protocol error (-32602): the runner's error, its wording and data, with
   * the nearest names among every tool this session serves (fixtures included).
   */
  private unknownTool(name: string, error: UnknownToolError): ProtocolError {
    const similar = findSimilar(comparableToolName(name), this.names, { limit: 3 });
    const served = new UnknownToolError(name, similar, error.referenceId);
    return new ProtocolError(served.code, served.message, served.data);
  }
}

/** The id the request logger gave the HTTP request carrying this call (see assignRequestId). */
function httpRequestId(extra: McpRequestExtra): string | undefined {
  const id = extra.requestInfo?.headers["x-request-id"];
  return typeof id === "string" ? id : undefined;
}
