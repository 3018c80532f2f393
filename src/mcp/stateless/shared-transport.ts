import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type {
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  MessageExtraInfo,
  RequestId,
} from "@modelcontextprotocol/sdk/types.js";
import type { ClientInput } from "../input/client-input.js";
import { isRequest, isResponse } from "../transport/json-rpc-message.js";
import { invalidParamsResponse, requestParamsProblem } from "../request-params.js";

/** One HTTP exchange's side of the shared server: where its request's messages go. */
export interface ExchangeSink {
  /** How the request's handler reaches the client (stateless era), if it can. */
  readonly input?: ClientInput;
  /** A message about the exchange's request, or its response (with the client's own id back). */
  deliver(message: JSONRPCMessage): Promise<void>;
  /** The server is closing: the request will not be answered. */
  abandon(clientId: RequestId): Promise<void>;
}

interface OpenRequest {
  readonly clientId: RequestId;
  readonly sink: ExchangeSink;
}

/**
 * Lets one long-lived server answer requests from any number of HTTP exchanges at once, so that
 * no server is built per request. Every request enters under an id unique in this process (clients
 * all start counting at 1), and its response and notifications find their exchange by that id and
 * leave with the client's id restored. There is no session: a server→client request has no way back
 * and is refused, and notifications about no request in particular go nowhere.
 */
export class SharedServerTransport implements Transport {
  readonly sessionId = undefined;
  onclose: (() => void) | undefined;
  onerror: ((error: Error) => void) | undefined;
  onmessage: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;

  private nextId = 1;
  private readonly open = new Map<number, OpenRequest>();
  private closed = false;

  start(): Promise<void> {
    return Promise.resolve();
  }

  /** Hands one request to the server; returns the id it is known by there. */
  dispatch(request: JSONRPCRequest, sink: ExchangeSink, extra: MessageExtraInfo): number {
    const id = this.nextId++;
    this.open.set(id, { clientId: request.id, sink });
    const problem = requestParamsProblem(request);
    if (problem === undefined) this.onmessage?.({ ...request, id }, extra);
    else
      this.send({ ...invalidParamsResponse(request, problem), id }).catch((error: unknown) => {
        this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      });
    return id;
  }

  /** The client input of the request the server knows by `id` (a handler's extra.requestId). */
  inputOf(id: RequestId): ClientInput | undefined {
    return typeof id === "number" ? this.open.get(id)?.sink.input : undefined;
  }

  /** Hands a notification to the server (a 2025 client's, on a POST without a session). */
  notify(notification: JSONRPCNotification, extra: MessageExtraInfo): void {
    this.onmessage?.(notification, extra);
  }

  /** The exchange is gone: the server stops working on the request, and nothing is delivered. */
  cancel(id: number, reason: string): void {
    if (!this.open.delete(id)) return;
    this.onmessage?.({
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { requestId: id, reason },
    });
  }

  send(message: JSONRPCMessage, options?: { relatedRequestId?: RequestId }): Promise<void> {
    if (isResponse(message)) {
      const id = message.id;
      const open = typeof id === "number" ? this.open.get(id) : undefined;
      if (open === undefined || typeof id !== "number") return Promise.resolve();
      this.open.delete(id);
      return open.sink.deliver({ ...message, id: open.clientId });
    }
    if (isRequest(message)) {
      return Promise.reject(
        new Error(
          `${message.method} needs a session to carry the client's answer; stateless requests cannot receive it`,
        ),
      );
    }
    const related = options?.relatedRequestId;
    const open = typeof related === "number" ? this.open.get(related) : undefined;
    return open === undefined ? Promise.resolve() : open.sink.deliver(message);
  }

  /** Shutdown: every exchange still waiting is told its request will not be answered. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const waiting = [...this.open.values()];
    this.open.clear();
    await Promise.all(waiting.map(({ clientId, sink }) => sink.abandon(clientId)));
    this.onclose?.();
  }
}
