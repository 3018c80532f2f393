import type { ServerResponse } from "node:http";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/** Headers of every SSE response; proxies must neither buffer nor transform it. */
export function sseHeaders(sessionId: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache, no-transform",
    Connection: "keep-alive",
    "X-Accel-Buffering": "no",
  };
  if (sessionId !== undefined) headers["Mcp-Session-Id"] = sessionId;
  return headers;
}

/**
 * One open SSE response on a Node ServerResponse: writes the head at once, frames messages as
 * `event: message` with an optional id, sends a comment now and then so idle proxies keep the
 * connection, and tells its owner once when the connection is gone (ended or dropped).
 */
export class SseStream {
  private keepAlive: NodeJS.Timeout | undefined;
  private open = true;

  constructor(
    private readonly res: ServerResponse,
    sessionId: string | undefined,
    keepAliveMs: number,
    onGone: (stream: SseStream) => void,
  ) {
    res.writeHead(200, sseHeaders(sessionId));
    res.flushHeaders();
    res.once("close", () => {
      this.stop();
      onGone(this);
    });
    if (keepAliveMs > 0) {
      this.keepAlive = setInterval(() => this.res.write(": keepalive\n\n"), keepAliveMs);
      this.keepAlive.unref();
    }
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** The first event of a resumable stream: an id the client can resume from, and no data. */
  prime(eventId: string, retryMs: number | undefined): void {
    if (!this.open) return;
    const retry = retryMs === undefined ? "" : `retry: ${String(retryMs)}\n`;
    this.res.write(`id: ${eventId}\n${retry}data: \n\n`);
  }

  /** Writes one message; false when the connection is already gone. */
  send(message: JSONRPCMessage, eventId: string | undefined): boolean {
    if (!this.open) return false;
    const id = eventId === undefined ? "" : `id: ${eventId}\n`;
    this.res.write(`event: message\n${id}data: ${JSON.stringify(message)}\n\n`);
    return true;
  }

  /** Ends the response; the client sees the stream finish. */
  end(): void {
    if (!this.open) return;
    this.stop();
    this.res.end();
  }

  private stop(): void {
    this.open = false;
    if (this.keepAlive !== undefined) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
  }
}
