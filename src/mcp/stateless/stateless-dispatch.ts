import type { IncomingMessage, ServerResponse } from "node:http";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { JSONRPCMessage, JSONRPCRequest, MessageExtraInfo } from "@modelcontextprotocol/sdk/types.js";
import { CLIENT_CAPABILITIES_META_KEY } from "@modelcontextprotocol/server";
import { sessionOwnerOf } from "../../auth/principal.js";
import type { Principal } from "../../tools/tool-definition.js";
import type { InputResponse } from "../input/client-input.js";
import { RequestStateRejected, type RequestStates, type StatePayload } from "../input/request-state.js";
import { statelessClientInput } from "../input/stateless-input.js";
import { capabilitiesOf, installDiscover } from "../modern/discover.js";
import { isPlainObject, LOG_LEVEL_META_KEY, metaOf } from "../modern/envelope.js";
import { refusal, type Refusal } from "../modern/era-classification.js";
import { ListenStreams } from "../modern/listen-streams.js";
import { logLevelPasses } from "../modern/log-filter.js";
import { INPUT_METHODS, servedModernMethods } from "../modern/request-checks.js";
import { refusalResponse, writeRefusal } from "../modern/refusal-writer.js";
import { encodeModernResponse, type ServerIdentity } from "../modern/result-encoding.js";
import { authInfoFor } from "../principal-auth-info.js";
import { requestInfoOf } from "../request-info.js";
import type { RequestObserver } from "../request-observer.js";
import type { ServerFactory } from "../server-factory.js";
import { isRequest, isResponse } from "../transport/json-rpc-message.js";
import { duplicateRequestId } from "../transport/transport-refusals.js";
import { SharedServerTransport } from "./shared-transport.js";
import { StatelessExchange } from "./stateless-exchange.js";

export interface StatelessDispatchOptions {
  readonly factory: ServerFactory;
  readonly server: ServerIdentity;
  readonly instructions: string;
  readonly supportedVersions: readonly string[];
  readonly states: RequestStates;
  readonly observer: RequestObserver;
  readonly jsonOnly: boolean;
  readonly streamAfterMs: number;
  readonly keepAliveMs: number;
  readonly onError: (error: Error) => void;
}

/**
 * Serves every request that has no session on one long-lived server: 2026-07-28 requests (each
 * stands alone, carrying its version and client capabilities in `_meta`) and, in stateless mode,
 * 2025 POSTs. Nothing is built per request but the exchange that answers it.
 */
export class StatelessDispatch {
  readonly methods: ReadonlySet<string>;
  private readonly transport = new SharedServerTransport();
  private readonly mcp: McpServer;
  private readonly listen: ListenStreams;

  constructor(private readonly options: StatelessDispatchOptions) {
    this.mcp = options.factory.shared((extra) => this.transport.inputOf(extra.requestId));
    installDiscover(this.mcp, options.supportedVersions, options.instructions);
    this.methods = servedModernMethods(capabilitiesOf(this.mcp));
    this.listen = new ListenStreams({ keepAliveMs: options.keepAliveMs, server: options.server });
    this.transport.onerror = options.onError;
  }

  /** Connects the shared server; call once before serving. */
  start(): Promise<void> {
    return this.mcp.connect(this.transport);
  }

  /** One 2026 request that passed the endpoint's checks. */
  async serveModern(
    req: IncomingMessage,
    res: ServerResponse,
    request: JSONRPCRequest,
    version: string,
    principal: Principal | undefined,
    requestId?: string,
  ): Promise<void> {
    const finish = this.options.observer.requestStarted(request, version, { principal });
    if (request.method === "subscriptions/listen") {
      this.listen.open(res, request);
      return;
    }
    const params: Record<string, unknown> = isPlainObject(request.params) ? request.params : {};
    const named = typeof params.name === "string" ? params.name : params.uri;
    const target = typeof named === "string" ? named : "";
    // Bound to the caller as auth knows it: an API key and a token of the same name are two callers.
    const binding = { method: request.method, target, principal: sessionOwnerOf(principal) };
    let state: StatePayload | undefined;
    if (INPUT_METHODS.has(request.method) && typeof params.requestState === "string") {
      try {
        state = await this.options.states.open(params.requestState, binding);
      } catch (error) {
        if (!(error instanceof RequestStateRejected)) throw error;
        const refused = stateRefusal(error, request);
        finish(refusalResponse(refused));
        writeRefusal(res, refused);
        return;
      }
    }
    const meta = metaOf(params) ?? {};
    const input = INPUT_METHODS.has(request.method)
      ? statelessClientInput({
          capabilities: isPlainObject(meta[CLIENT_CAPABILITIES_META_KEY])
            ? meta[CLIENT_CAPABILITIES_META_KEY]
            : {},
          responses: isPlainObject(params.inputResponses)
            ? (params.inputResponses as Record<string, InputResponse>)
            : undefined,
          state,
          binding,
          states: this.options.states,
        })
      : undefined;
    const level = meta[LOG_LEVEL_META_KEY];
    const exchange = this.exchange(res, [request], false, {
      encode: (message) => this.encodeModern(message, request, typeof level === "string" ? level : undefined),
      // The one error the spec gives an HTTP status even when a handler raised it.
      statusOf: (answers) =>
        answers.some((answer) => "error" in answer && answer.error.code === -32021) ? 400 : 200,
      ...(input === undefined ? {} : { input }),
    });
    exchange.onResponse(request.id, finish);
    this.dispatch(res, exchange, [request], extraOf(req, principal, requestId));
  }

  /** A 2025 POST without a session (stateless mode): one message or a batch. */
  serveLegacy(
    req: IncomingMessage,
    res: ServerResponse,
    messages: JSONRPCMessage[],
    batch: boolean,
    principal: Principal | undefined,
    requestId?: string,
  ): void {
    const requests = messages.filter(isRequest);
    const extra = extraOf(req, principal, requestId);
    if (requests.length === 0) {
      res.writeHead(202).end();
      for (const message of messages) if (!isResponse(message)) this.transport.notify(message, extra);
      return;
    }
    const duplicate = requests.find(
      (request, index) => requests.findIndex((other) => other.id === request.id) !== index,
    );
    if (duplicate !== undefined) {
      duplicateRequestId(res, duplicate.id);
      return;
    }
    const version = req.headers["mcp-protocol-version"];
    const exchange = this.exchange(res, requests, batch, {});
    for (const request of requests) {
      exchange.onResponse(
        request.id,
        this.options.observer.requestStarted(request, typeof version === "string" ? version : "2025-03-26", {
          principal,
        }),
      );
    }
    for (const message of messages)
      if (!isRequest(message) && !isResponse(message)) this.transport.notify(message, extra);
    this.dispatch(res, exchange, requests, extra);
  }

  /** Shutdown: open requests are answered with an error, listen streams end gracefully. */
  async close(): Promise<void> {
    this.listen.closeAll();
    await this.mcp.close();
  }

  private exchange(
    res: ServerResponse,
    requests: readonly JSONRPCRequest[],
    batch: boolean,
    extra: Pick<ConstructorParameters<typeof StatelessExchange>[1], "encode" | "statusOf" | "input">,
  ): StatelessExchange {
    return new StatelessExchange(res, {
      requestIds: requests.map((request) => request.id),
      batch,
      jsonOnly: this.options.jsonOnly,
      streamAfterMs: this.options.streamAfterMs,
      keepAliveMs: this.options.keepAliveMs,
      onError: this.options.onError,
      ...extra,
    });
  }

  /** Hands the requests to the shared server; a client that hangs up cancels what is left (the 2026 rule). */
  private dispatch(
    res: ServerResponse,
    exchange: StatelessExchange,
    requests: readonly JSONRPCRequest[],
    extra: MessageExtraInfo,
  ): void {
    const ids = requests.map((request) => this.transport.dispatch(request, exchange, extra));
    res.once("close", () => {
      if (exchange.answered) return;
      for (const id of ids) this.transport.cancel(id, "The client closed the response stream");
    });
  }

  private encodeModern(
    message: JSONRPCMessage,
    request: JSONRPCRequest,
    level: string | undefined,
  ): JSONRPCMessage | undefined {
    if (isResponse(message))
      return encodeModernResponse(request.method, message, this.options.server, request.params);
    if (message.method === "notifications/message") {
      // Stateless clients opt in to log messages per request, by naming a level in _meta.
      const sent = isPlainObject(message.params) ? message.params.level : undefined;
      return logLevelPasses(level, sent) ? message : undefined;
    }
    return message;
  }
}

const STATE_MESSAGES: Readonly<Record<RequestStateRejected["reason"], string>> = {
  tampered: "requestState failed its integrity check",
  expired: "requestState has expired",
  replayed: "requestState was already used",
  foreign: "requestState was issued for another request",
};

function stateRefusal(error: RequestStateRejected, request: JSONRPCRequest): Refusal {
  return refusal(
    200,
    -32602,
    `Invalid params: ${STATE_MESSAGES[error.reason]}. Call again without requestState and inputResponses to start over.`,
    request.id,
    { reason: error.reason },
  );
}

/** What the shared server's handlers learn about the HTTP request: headers, its id, the caller. */
function extraOf(
  req: IncomingMessage,
  principal: Principal | undefined,
  requestId: string | undefined,
): MessageExtraInfo {
  return { requestInfo: requestInfoOf(req, requestId), authInfo: authInfoFor(principal, req) };
}
