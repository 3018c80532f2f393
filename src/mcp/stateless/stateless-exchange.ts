import type { ServerResponse } from "node:http";
import type { JSONRPCMessage, JSONRPCResponse, RequestId } from "@modelcontextprotocol/sdk/types.js";
import { JsonRpcCode } from "../../http/json-rpc-error.js";
import type { ClientInput } from "../input/client-input.js";
import { EventChannel } from "../transport/event-channel.js";
import { isResponse } from "../transport/json-rpc-message.js";
import { PostReply } from "../transport/post-reply.js";
import type { ExchangeSink } from "./shared-transport.js";

export interface StatelessExchangeOptions {
  /** The client's ids of the POST's requests, in order. */
  readonly requestIds: readonly RequestId[];
  readonly batch: boolean;
  readonly jsonOnly: boolean;
  readonly streamAfterMs: number;
  readonly keepAliveMs: number;
  /** Rewrites (or, by returning undefined, drops) what the server sends; absent: sent as is. */
  readonly encode?: (message: JSONRPCMessage) => JSONRPCMessage | undefined;
  /** The HTTP status of a JSON answer; 200 when absent. */
  readonly statusOf?: (answers: readonly JSONRPCMessage[]) => number;
  readonly input?: ClientInput;
  readonly onError: (error: Error) => void;
}

/**
 * One POST served by the shared server: the answer (JSON, or SSE once something must stream, as
 * on a session; never resumable, there is no session to resume) and the bookkeeping that tells
 * whether every request was answered. Requests the client stops waiting for are cancelled by the
 * caller when the connection closes.
 */
export class StatelessExchange implements ExchangeSink {
  readonly input: ClientInput | undefined;
  private readonly reply: PostReply;
  private readonly finishers = new Map<RequestId, (response: JSONRPCResponse) => void>();
  private done = false;

  constructor(
    res: ServerResponse,
    private readonly options: StatelessExchangeOptions,
  ) {
    this.input = options.input;
    this.reply = new PostReply(
      res,
      options.requestIds,
      options.batch,
      new EventChannel("stateless", undefined, options.onError),
      {
        sessionId: undefined,
        jsonOnly: options.jsonOnly,
        streamAfterMs: options.streamAfterMs,
        primeStream: false,
        retryMs: undefined,
        keepAliveMs: options.keepAliveMs,
        onDone: () => {
          this.done = true;
        },
        ...(options.statusOf === undefined ? {} : { statusOf: options.statusOf }),
      },
    );
  }

  /** True once every request of the POST has been answered. */
  get answered(): boolean {
    return this.done;
  }

  /** Calls `finish` with the response to `clientId` when it goes out (timing, metrics). */
  onResponse(clientId: RequestId, finish: (response: JSONRPCResponse) => void): void {
    this.finishers.set(clientId, finish);
  }

  deliver(message: JSONRPCMessage): Promise<void> {
    const encoded = this.options.encode === undefined ? message : this.options.encode(message);
    if (encoded === undefined) return Promise.resolve();
    if (isResponse(encoded) && encoded.id !== undefined) {
      this.finishers.get(encoded.id)?.(encoded);
      this.finishers.delete(encoded.id);
    }
    return this.reply.send(encoded);
  }

  abandon(clientId: RequestId): Promise<void> {
    return this.deliver({
      jsonrpc: "2.0",
      id: clientId,
      error: {
        code: JsonRpcCode.internalError,
        message: "The server is shutting down and did not finish this request; retry it in a moment.",
      },
    });
  }
}
