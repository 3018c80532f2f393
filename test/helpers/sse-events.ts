/**
 * Server-Sent Events as a client reads them: every field of every event (id, retry, event, data),
 * so tests can check priming events and event ids, not only the JSON-RPC messages inside.
 */

/** One SSE event. `data` is "" for an event without data, such as a priming event. */
export interface SseEvent {
  readonly id: string | undefined;
  readonly event: string | undefined;
  readonly retry: number | undefined;
  readonly data: string;
}

/** One event block (the lines between blank lines), or undefined if it held only comments. */
function parseBlock(block: string): SseEvent | undefined {
  let id: string | undefined;
  let event: string | undefined;
  let retry: number | undefined;
  const data: string[] = [];
  let fields = 0;
  for (const line of block.split("\n")) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const name = colon === -1 ? line : line.slice(0, colon);
    const raw = colon === -1 ? "" : line.slice(colon + 1);
    const value = raw.startsWith(" ") ? raw.slice(1) : raw;
    fields += 1;
    if (name === "id") id = value;
    else if (name === "event") event = value;
    else if (name === "retry") retry = Number(value);
    else if (name === "data") data.push(value);
  }
  return fields === 0 ? undefined : { id, event, retry, data: data.join("\n") };
}

/** Every complete event of an SSE body; keep-alive comments are skipped, a truncated last event dropped. */
export function parseSseEvents(text: string): SseEvent[] {
  const blocks = text.split("\n\n");
  // The part after the last blank line is an event the server never finished.
  blocks.pop();
  return blocks.flatMap((block) => parseBlock(block) ?? []);
}

/** The JSON-RPC messages of a complete SSE body, in order; events without data are skipped. */
export function parseSseMessages(body: string): unknown[] {
  return parseSseEvents(body).flatMap((event) =>
    event.data === "" ? [] : [JSON.parse(event.data) as unknown],
  );
}

/** The JSON-RPC message an event carries, or undefined for an event without data. */
export function eventMessage(event: SseEvent): any {
  return event.data === "" ? undefined : JSON.parse(event.data);
}

/** Reads the events of a streaming body one at a time, as the server writes them. */
export class SseEventReader {
  private buffer = "";
  private ended = false;
  private readonly decoder = new TextDecoder();
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(body: ReadableStream<Uint8Array> | null) {
    if (body === null) throw new Error("the response has no body to read events from");
    this.reader = body.getReader();
  }

  /** The next event, or undefined once the server ended the stream; rejects after `timeoutMs`. */
  async next(timeoutMs = 5_000): Promise<SseEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = this.take();
      if (event !== undefined) return event;
      if (this.ended) return undefined;
      const chunk = await readWithin(this.reader, deadline - Date.now());
      if (chunk.done) {
        this.ended = true;
        this.buffer += this.decoder.decode();
      } else {
        this.buffer += this.decoder.decode(chunk.value, { stream: true });
      }
    }
  }

  /** Every event until the server ends the stream; rejects if it has not ended after `timeoutMs`. */
  async rest(timeoutMs = 5_000): Promise<SseEvent[]> {
    const deadline = Date.now() + timeoutMs;
    const events: SseEvent[] = [];
    for (;;) {
      const event = await this.next(deadline - Date.now());
      if (event === undefined) return events;
      events.push(event);
    }
  }

  private take(): SseEvent | undefined {
    for (;;) {
      const end = this.buffer.indexOf("\n\n");
      if (end === -1) return undefined;
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const event = parseBlock(block);
      if (event !== undefined) return event;
    }
  }
}

async function readWithin(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  ms: number,
): ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => {
        reject(new Error(`no SSE data within the time allowed (${String(Math.max(0, ms))} ms)`));
      },
      Math.max(0, ms),
    );
  });
  try {
    return await Promise.race([reader.read(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
