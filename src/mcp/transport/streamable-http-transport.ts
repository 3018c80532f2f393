import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type { EventStore } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  DEFAULT_NEGOTIATED_PROTOCOL_VERSION,
  type JSONRPCMessage,
  type JSONRPCResponse,
  type MessageExtraInfo,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";
import { JsonRpcCode, writeJsonRpcError } from "../../http/json-rpc-error.js";
import { EventIdExpiredError } from "../event-store.js";
import { principalOfAuthInfo } from "../principal-auth-info.js";
import { requestInfoOf } from "../request-info.js";
import { UNOBSERVED, type RequestObserver } from "../request-observer.js";
import { EventChannel } from "./event-channel.js";
import { cancelledRequestId, isInitialize, isRequest, isResponse } from "./json-rpc-message.js";
import { PostReply } from "./post-reply.js";
import type { SharedStreams } from "./shared-streams.js";
import { SseStream } from "./sse-stream.js";
import {
  connectionClosedError,
  duplicateRequestId,
  replayRefused,
  sessionClosed,
} from "./transport-refusals.js";
import { invalidParamsResponse, requestParamsProblem } from "../request-params.js";

export interface StreamableHttpTransportOptions {
  /** Stateful mode: issues the session id at initialize. Absent: stateless, one transport per POST. */
  readonly sessionIdGenerator?: () => string;
  readonly onsessioninitialized?: (sessionId: string) => void;
  readonly onsessionclosed?: (sessionId: string) => void;
  /** Keeps SSE events so a client that lost a stream can resume with Last-Event-ID. */
  readonly eventStore?: EventStore;
  /** Sent in priming events: how long a client waits before it reconnects. */
  readonly retryIntervalMs?: number;
  /** Answer every POST with JSON; messages other than responses are dropped. */
  readonly jsonOnly: boolean;
  /** A POST whose answer is not ready after this long becomes an SSE stream; 0 streams at once. */
  readonly streamAfterMs: number;
  readonly keepAliveMs?: number;
  /** Told of every request and its response (timing, metrics). */
  readonly observer?: RequestObserver;
  /** Streams shared with other replicas (Redis); absent: this process holds every stream. */
  readonly shared?: SharedStreams;
}

const STANDALONE_STREAM_ID = "_GET_stream";
const DEFAULT_KEEP_ALIVE_MS = 15_000;

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * The server side of MCP Streamable HTTP (2025-11-25) on Node's own request and response,
 * implementing the SDK's Transport so an McpServer connects to it unchanged. The SDK's transport
 * goes through Web Request/Response objects, streams and an adapter that waits a timer turn
 * between chunks; this one writes to the socket directly and answers a POST with plain JSON when
 * nothing needs streaming (see PostReply). The HTTP-level checks (JSON-RPC body, Accept, protocol
 * version header, session id, origin) happen before, in the McpEndpoint and the HTTP middleware.
 */
export class StreamableHttpTransport implements Transport {
  sessionId: string | undefined;
  onclose: (() => void) | undefined;
  onerror: ((error: Error) => void) | undefined;
  onmessage: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;

  private initialized = false;
  private closed = false;
  /** Which POST's answer each open request belongs to. */
  private readonly replyOfRequest = new Map<RequestId, PostReply>();
  /** Open POST answers by stream id, for resumption. */
  private readonly replyOfStream = new Map<string, PostReply>();
  private readonly standalone: EventChannel;
  /** Reports each open request's response to the observer. */
  private readonly finishers = new Map<RequestId, (response: JSONRPCResponse) => void>();
  private readonly observer: RequestObserver;
  /** Clears each in-flight request's shared record once it is answered. */
  private readonly untrack = new Map<RequestId, () => void>();

  constructor(private readonly options: StreamableHttpTransportOptions) {
    this.standalone = this.channel(STANDALONE_STREAM_ID);
    this.observer = options.observer ?? UNOBSERVED;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * POST: one JSON-RPC message or a batch, already validated by the endpoint. `authInfo` tells the
   * server's handlers who sent it, `requestId` which logged HTTP request carried it.
   */
  handlePost(
    req: IncomingMessage,
    res: ServerResponse,
    messages: JSONRPCMessage[],
    batch: boolean,
    authInfo?: AuthInfo,
    requestId?: string,
  ): void {
    const requests = messages.filter(isRequest);
    const initialize = requests.find(isInitialize);
    if (initialize !== undefined) {
      if (this.initialized) {
        writeJsonRpcError(
          res,
          400,
          JsonRpcCode.invalidRequest,
          "Invalid Request: Server already initialized",
        );
        return;
      }
      if (messages.length > 1) {
        writeJsonRpcError(
          res,
          400,
          JsonRpcCode.invalidRequest,
          "Invalid Request: Only one initialization request is allowed",
        );
        return;
      }
      this.initialized = true;
      this.sessionId = this.options.sessionIdGenerator?.();
      if (this.sessionId !== undefined) this.options.onsessioninitialized?.(this.sessionId);
    }
    if (this.closed) {
      sessionClosed(res);
      return;
    }

    const requestIds = requests.map((request) => request.id);
    const duplicate = requestIds.find(
      (id, index) => this.replyOfRequest.has(id) || requestIds.indexOf(id) !== index,
    );
    if (duplicate !== undefined) {
      duplicateRequestId(res, duplicate);
      return;
    }
    const requestInfo = requestInfoOf(req, requestId);
    if (requestIds.length === 0) {
      res.writeHead(202).end();
      for (const message of messages) this.receive(message, { requestInfo, authInfo }, "");
      return;
    }

    const requested =
      initialize !== undefined ? initialize.params?.protocolVersion : headerOf(req, "mcp-protocol-version");
    const protocolVersion = typeof requested === "string" ? requested : DEFAULT_NEGOTIATED_PROTOCOL_VERSION;
    const resumable = this.options.eventStore !== undefined && protocolVersion >= "2025-11-25";
    const channel = this.channel(randomUUID());
    const reply = new PostReply(res, requestIds, batch, channel, {
      sessionId: this.sessionId,
      jsonOnly: this.options.jsonOnly,
      streamAfterMs: this.options.streamAfterMs,
      primeStream: resumable,
      retryMs: this.options.retryIntervalMs,
      keepAliveMs: this.options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS,
      onDone: (done) => {
        this.forget(done);
      },
    });
    this.replyOfStream.set(channel.streamId, reply);
    for (const id of requestIds) {
      this.replyOfRequest.set(id, reply);
      if (resumable && this.options.shared !== undefined) {
        this.untrack.set(id, this.options.shared.track(channel.streamId, id));
      }
    }

    for (const message of messages) {
      const extra: MessageExtraInfo = { requestInfo, authInfo };
      if (resumable && !this.options.jsonOnly && isRequest(message)) {
        extra.closeSSEStream = () => {
          this.replyOfRequest.get(message.id)?.closeStream();
        };
        extra.closeStandaloneSSEStream = () => {
          this.standalone.hangUp();
        };
      }
      this.receive(message, extra, protocolVersion);
    }
  }

  /** Takes over a session initialized elsewhere (another replica): no initialize will come here. */
  adopt(sessionId: string): void {
    this.initialized = true;
    this.sessionId = sessionId;
    this.options.onsessioninitialized?.(sessionId);
  }

  /** GET: the session's standalone SSE stream, or the resumption of a stream with Last-Event-ID. */
  handleGet(req: IncomingMessage, res: ServerResponse): void {
    const lastEventId = headerOf(req, "last-event-id");
    if (this.options.eventStore !== undefined && lastEventId !== undefined && lastEventId !== "") {
      void this.resume(res, this.options.eventStore, lastEventId);
      return;
    }
    if (this.standalone.connected) {
      writeJsonRpcError(
        res,
        409,
        JsonRpcCode.serverError,
        "Conflict: Only one SSE stream is allowed per session",
      );
      return;
    }
    const connection = this.openSse(res, this.standalone);
    this.standalone.attach(connection);
    // Messages a server on another replica sends outside any request reach the client here.
    const stop = this.options.shared?.follow(STANDALONE_STREAM_ID, undefined, (event) => {
      if (!event.fromHere) connection.send(event.message, event.eventId);
    });
    if (stop !== undefined) res.once("close", stop);
  }

  /** DELETE: the client ends its session. */
  async handleDelete(res: ServerResponse): Promise<void> {
    if (this.sessionId !== undefined) this.options.onsessionclosed?.(this.sessionId);
    res.writeHead(200).end();
    await this.close();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (isResponse(message) && message.id !== undefined) {
      this.finished(message.id, message);
      this.clearTracked(message.id);
    }
    const requestId = isResponse(message) ? message.id : options?.relatedRequestId;
    if (requestId === undefined) {
      if (isResponse(message)) return Promise.resolve();
      return this.standalone.emit(message);
    }
    const reply = this.replyOfRequest.get(requestId);
    // No open POST: the client cancelled the request, or the session is gone.
    if (reply === undefined) return Promise.resolve();
    return reply.send(message);
  }

  /**
   * Ends the session's streams. Requests still running are answered with a connection-closed
   * error first, so a client learns its call did not finish instead of waiting on a dead stream.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const replies = [...this.replyOfStream.values()];
    await Promise.all(replies.map((reply) => reply.failUnanswered((id) => connectionClosedError(id))));
    this.standalone.hangUp();
    this.onclose?.();
  }

  private receive(message: JSONRPCMessage, extra: MessageExtraInfo, protocolVersion: string): void {
    if (isRequest(message)) {
      const caller = { sessionId: this.sessionId, principal: principalOfAuthInfo(extra.authInfo) };
      this.finishers.set(message.id, this.observer.requestStarted(message, protocolVersion, caller));
      const problem = requestParamsProblem(message);
      if (problem !== undefined) {
        this.send(invalidParamsResponse(message, problem)).catch((error: unknown) => {
          this.onerror?.(error instanceof Error ? error : new Error(String(error)));
        });
        return;
      }
    }
    this.onmessage?.(message, extra);
    const cancelled = cancelledRequestId(message);
    if (cancelled !== undefined) {
      // A cancelled request gets no response: nothing to time.
      this.finishers.delete(cancelled);
      this.replyOfRequest.get(cancelled)?.cancel(cancelled);
    }
  }

  private finished(id: RequestId, response: JSONRPCResponse): void {
    const finish = this.finishers.get(id);
    if (finish === undefined) return;
    this.finishers.delete(id);
    finish(response);
  }

  /**
   * GET with Last-Event-ID. Everything that can refuse the resume is decided before the SSE head
   * goes out, so a refusal is a status code and a JSON-RPC body, never a stream that stays silent.
   */
  private async resume(res: ServerResponse, store: EventStore, lastEventId: string): Promise<void> {
    const report = (error: Error) => this.onerror?.(error);
    let streamId: string | undefined;
    try {
      streamId = await store.getStreamIdForEventId?.(lastEventId);
    } catch (error) {
      replayRefused(res, error, report);
      return;
    }
    if (streamId === undefined) {
      replayRefused(res, new EventIdExpiredError(lastEventId), report);
      return;
    }
    const live =
      streamId === STANDALONE_STREAM_ID ? this.standalone : this.replyOfStream.get(streamId)?.channel;
    if (live?.connected === true) {
      writeJsonRpcError(
        res,
        409,
        JsonRpcCode.serverError,
        "Conflict: Stream already has an active connection",
      );
      return;
    }
    // A POST already answered in full gets a channel of its own: replay what was missed, then end.
    const channel = live ?? this.channel(streamId);
    await channel.resume(lastEventId, {
      open: () => (res.destroyed ? undefined : this.openSse(res, channel)),
      refuse: (error) => {
        replayRefused(res, error, report);
      },
      live: live !== undefined,
      ...(this.options.shared === undefined
        ? {}
        : { follow: this.followElsewhere(res, streamId, this.options.shared) }),
    });
  }

  /**
   * A stream this replica does not produce (its POST runs, or ran, on another replica): after the
   * replay, events stored elsewhere are passed on until the answer arrives, then the stream ends.
   */
  private followElsewhere(
    res: ServerResponse,
    streamId: string,
    shared: SharedStreams,
  ): (connection: SseStream, lastEventId: string) => void {
    return (connection, lastEventId) => {
      const stop = shared.follow(streamId, lastEventId, (event) => {
        connection.send(event.message, event.eventId);
        if (isResponse(event.message)) {
          stop();
          connection.end();
        }
      });
      res.once("close", stop);
    };
  }

  private clearTracked(id: RequestId): void {
    this.untrack.get(id)?.();
    this.untrack.delete(id);
  }

  private openSse(res: ServerResponse, channel: EventChannel): SseStream {
    return new SseStream(res, this.sessionId, this.options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS, (gone) => {
      channel.detach(gone);
    });
  }

  private channel(streamId: string): EventChannel {
    return new EventChannel(streamId, this.options.eventStore, (error) => this.onerror?.(error));
  }

  private forget(reply: PostReply): void {
    this.replyOfStream.delete(reply.channel.streamId);
    for (const id of reply.requestIds) {
      if (this.replyOfRequest.get(id) === reply) {
        this.replyOfRequest.delete(id);
        this.clearTracked(id);
      }
    }
  }
}
