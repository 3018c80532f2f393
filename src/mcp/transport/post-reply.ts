import type { ServerResponse } from "node:http";
import type { JSONRPCErrorResponse, JSONRPCMessage, RequestId } from "@modelcontextprotocol/sdk/types.js";
import type { EventChannel } from "./event-channel.js";
import { isResponse } from "./json-rpc-message.js";
import { SseStream } from "./sse-stream.js";

export interface PostReplyOptions {
  readonly sessionId: string | undefined;
  /** Never stream: messages other than responses are dropped (MCP_JSON_RESPONSE). */
  readonly jsonOnly: boolean;
  /** Open the SSE stream when no answer is ready after this long; 0 opens it at once. */
  readonly streamAfterMs: number;
  /** Give the stream an id to resume from before any data (event store, protocol ≥ 2025-11-25). */
  readonly primeStream: boolean;
  readonly retryMs: number | undefined;
  readonly keepAliveMs: number;
  /** Called once, when every request of the POST is answered (or cancelled). */
  readonly onDone: (reply: PostReply) => void;
  /** The HTTP status of a JSON answer, from its responses; 200 when absent. */
  readonly statusOf?: (answers: readonly JSONRPCMessage[]) => number;
}

type State = "waiting" | "streaming" | "done";

/**
 * The answer to one POST that carries requests. It starts as nothing on the wire and becomes
 * either plain JSON, when every response is ready before anything else needs saying, or an SSE
 * stream, as soon as a notification or a server→client request must go out first, the client
 * wants the stream closed, or the answer takes longer than `streamAfterMs`. The spec lets the
 * server choose per response; JSON spares a short call the stream framing, its priming event and
 * a timer turn in the HTTP adapter, while a long or chatty call still gets a resumable stream.
 */
export class PostReply {
  private state: State = "waiting";
  private readonly answers = new Map<RequestId, JSONRPCMessage>();
  private readonly unanswered: Set<RequestId>;
  private timer: NodeJS.Timeout | undefined;
  private clientGone = false;

  constructor(
    private readonly res: ServerResponse,
    readonly requestIds: readonly RequestId[],
    private readonly batch: boolean,
    readonly channel: EventChannel,
    private readonly options: PostReplyOptions,
  ) {
    this.unanswered = new Set(requestIds);
    res.once("close", () => {
      this.clientGone = true;
      this.clearTimer();
    });
    if (options.jsonOnly) return;
    if (options.streamAfterMs === 0) this.openStream();
    else {
      this.timer = setTimeout(() => {
        this.openStream();
      }, options.streamAfterMs);
      this.timer.unref();
    }
  }

  /** Sends a message that belongs to this POST: a response to one of its requests, or a message about one. */
  send(message: JSONRPCMessage): Promise<void> {
    if (this.state === "done") return Promise.resolve();
    const response = isResponse(message) ? message : undefined;
    if (response !== undefined && response.id !== undefined) {
      if (!this.unanswered.delete(response.id)) return Promise.resolve();
      this.answers.set(response.id, message);
    }
    if (this.state === "waiting") {
      if (response !== undefined) {
        if (this.unanswered.size === 0) this.finishWithJson();
        return Promise.resolve();
      }
      if (this.options.jsonOnly) return Promise.resolve();
      this.openStream();
    }
    const sent = this.channel.emit(message);
    if (this.unanswered.size === 0) this.finishStream();
    return sent;
  }

  /** The client cancelled `requestId`: no response will come for it (the spec forbids one). */
  cancel(requestId: RequestId): void {
    if (this.state === "done" || !this.unanswered.delete(requestId)) return;
    if (this.unanswered.size > 0) return;
    if (this.answers.size > 0 && this.state === "waiting") {
      this.finishWithJson();
      return;
    }
    if (this.state === "waiting" && this.options.jsonOnly) {
      // No JSON body means "no response"; 202, as for a POST of notifications, does.
      this.state = "done";
      this.clearTimer();
      if (!this.clientGone) this.res.writeHead(202).end();
      this.options.onDone(this);
      return;
    }
    // Nothing is left to say: an SSE stream that ends without events tells the client so.
    if (this.state === "waiting") this.openStream({ prime: false });
    this.finishStream();
  }

  /** Ends the connection of a streaming answer so the client reconnects (SSE polling). */
  closeStream(): void {
    if (this.state === "done") return;
    if (this.state === "waiting") this.openStream();
    void this.channel.run(() => {
      this.channel.hangUp();
    });
  }

  /** Answers every request still open with `error` (the session is closing) and finishes. */
  failUnanswered(error: (id: RequestId) => JSONRPCErrorResponse): Promise<void> {
    const sends = [...this.unanswered].map((id) => this.send(error(id)));
    return Promise.all(sends).then(() => undefined);
  }

  /** Opens the SSE answer now: the head, a priming event when resumable, then collected answers. */
  private openStream({ prime }: { prime: boolean } = { prime: this.options.primeStream }): void {
    if (this.state !== "waiting") return;
    this.state = "streaming";
    this.clearTimer();
    if (this.clientGone) return;
    const connection = new SseStream(this.res, this.options.sessionId, this.options.keepAliveMs, (gone) => {
      this.channel.detach(gone);
    });
    this.channel.attach(connection);
    if (prime) void this.channel.prime(this.options.retryMs);
    for (const answer of this.answers.values()) void this.channel.emit(answer);
  }

  private finishWithJson(): void {
    this.state = "done";
    this.clearTimer();
    if (!this.clientGone) {
      const answers = this.requestIds.flatMap((id) => {
        const answer = this.answers.get(id);
        return answer === undefined ? [] : [answer];
      });
      const body = JSON.stringify(this.batch ? answers : answers[0]);
      const headers: Record<string, string> = { "Content-Type": "application/json" };
      if (this.options.sessionId !== undefined) headers["Mcp-Session-Id"] = this.options.sessionId;
      this.res.writeHead(this.options.statusOf?.(answers) ?? 200, headers).end(body);
    }
    this.options.onDone(this);
  }

  private finishStream(): void {
    this.state = "done";
    void this.channel.run(() => {
      this.channel.hangUp();
    });
    this.options.onDone(this);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
