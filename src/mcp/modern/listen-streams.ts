import type { ServerResponse } from "node:http";
import type { JSONRPCRequest, RequestId } from "@modelcontextprotocol/sdk/types.js";
import { SERVER_INFO_META_KEY, SUBSCRIPTION_ID_META_KEY } from "@modelcontextprotocol/server";
import { SseStream } from "../transport/sse-stream.js";
import type { ServerIdentity } from "./result-encoding.js";

/**
 * `subscriptions/listen`, the stateless era's replacement of the session GET stream and of
 * resources/subscribe: a long-lived SSE response that opens with an acknowledgement naming the
 * notification types the server will send, each notification tagged with the listen request's
 * id. This server's tools, prompts and resources never change while it runs, so it honours none
 * of the change notifications and the stream carries only the acknowledgement and keep-alives;
 * it ends with the listen result when the server shuts down, or when the client closes it.
 */
export class ListenStreams {
  /** Each open stream, with the id of the listen request that opened it. */
  private readonly listeners = new Map<SseStream, RequestId>();

  constructor(private readonly options: { readonly keepAliveMs: number; readonly server: ServerIdentity }) {}

  get size(): number {
    return this.listeners.size;
  }

  open(res: ServerResponse, request: JSONRPCRequest): void {
    const stream = new SseStream(res, undefined, this.options.keepAliveMs, (gone) => {
      this.listeners.delete(gone);
    });
    this.listeners.set(stream, request.id);
    stream.send(
      {
        jsonrpc: "2.0",
        method: "notifications/subscriptions/acknowledged",
        params: { notifications: {}, _meta: { [SUBSCRIPTION_ID_META_KEY]: request.id } },
      },
      undefined,
    );
  }

  /** Ends every stream gracefully: the listen result, then the end of the response. */
  closeAll(): void {
    for (const [stream, id] of this.listeners) {
      stream.send(
        {
          jsonrpc: "2.0",
          id,
          result: {
            resultType: "complete",
            _meta: { [SUBSCRIPTION_ID_META_KEY]: id, [SERVER_INFO_META_KEY]: this.options.server },
          },
        },
        undefined,
      );
      stream.end();
    }
    this.listeners.clear();
  }
}
