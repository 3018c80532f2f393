import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";

/**
 * A real HTTP server on 127.0.0.1 (port 0) that answers with faults on demand, so upstream
 * clients are tested against what a network really does: statuses, Retry-After, slowness,
 * resets, garbage and oversized bodies.
 */

/** What the server does with one request. Build them with `faults`. */
export type Fault =
  | {
      readonly kind: "json";
      readonly status: number;
      readonly body: unknown;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: "text";
      readonly status: number;
      readonly body: string | Uint8Array;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | { readonly kind: "slow"; readonly delayMs: number; readonly then: Fault }
  | { readonly kind: "slow_body"; readonly delayMs: number; readonly body: string }
  | { readonly kind: "reset" }
  | { readonly kind: "destroy" }
  | { readonly kind: "oversized"; readonly bytes: number; readonly contentLength: "honest" | "absent" }
  | { readonly kind: "lying_length"; readonly declared: number; readonly body: string }
  | { readonly kind: "flapping"; readonly failures: number; readonly failure: Fault; readonly then: Fault }
  | { readonly kind: "dynamic"; readonly respond: (request: RecordedRequest) => Fault };

/** Builders for every fault the server can play. */
export const faults = {
  /** 200 with a JSON body. */
  ok: (body: unknown, headers?: Record<string, string>): Fault => json(200, body, headers),
  /** Any status with a JSON body. */
  json,
  /** An error status with a small JSON problem body. */
  status: (status: number, headers?: Record<string, string>): Fault =>
    json(status, { error: true, reason: `fault server answered ${status}` }, headers),
  /** 429; Retry-After as delay-seconds, a raw header value, or a Date sent as an HTTP-date. */
  rateLimited: (retryAfter?: number | string | Date): Fault =>
    json(429, { error: "slow down" }, retryAfterHeader(retryAfter)),
  /** 503, optionally with Retry-After. */
  unavailable: (retryAfter?: number | string | Date): Fault =>
    json(503, { error: "unavailable" }, retryAfterHeader(retryAfter)),
  /** Waits before answering with `then` (200 {} by default). */
  slow: (delayMs: number, then: Fault = json(200, {})): Fault => ({ kind: "slow", delayMs, then }),
  /** Sends 200 and headers at once, then the body after `delayMs`. */
  slowBody: (delayMs: number, body: unknown = {}): Fault => ({
    kind: "slow_body",
    delayMs,
    body: JSON.stringify(body),
  }),
  /** Sends a TCP RST instead of an answer (ECONNRESET for the client). */
  reset: (): Fault => ({ kind: "reset" }),
  /** Closes the socket without an answer ("other side closed"). */
  destroy: (): Fault => ({ kind: "destroy" }),
  /** 200 application/json whose body is not JSON. */
  invalidJson: (body = '{"temperature": 21.5,'): Fault => ({
    kind: "text",
    status: 200,
    body,
    headers: { "content-type": "application/json" },
  }),
  /** 200 with a body of `bytes` bytes, with an honest Content-Length or none (chunked). */
  oversized: (bytes: number, contentLength: "honest" | "absent" = "honest"): Fault => ({
    kind: "oversized",
    bytes,
    contentLength,
  }),
  /** 200 whose Content-Length claims `declared` bytes while `body` is sent whatever its size. */
  lyingLength: (declared: number, body: string): Fault => ({ kind: "lying_length", declared, body }),
  /** `failure` for the first `failures` requests it serves, then `then` for good. */
  flapping: (failures: number, failure: Fault, then: Fault): Fault => ({
    kind: "flapping",
    failures,
    failure,
    then,
  }),
  /** A redirect to `location`. */
  redirect: (location: string, status = 302): Fault => ({
    kind: "text",
    status,
    body: "",
    headers: { location },
  }),
  /** Decides per request (used by fakes of real APIs). */
  dynamic: (respond: (request: RecordedRequest) => Fault): Fault => ({ kind: "dynamic", respond }),
};

/** One request as the server saw it. */
export interface RecordedRequest {
  readonly method: string;
  readonly pathname: string;
  readonly query: URLSearchParams;
  /** Path and query as sent. */
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  /** "pending" until the answer ends; "aborted" if the socket closed first (the client gave up). */
  state: "pending" | "finished" | "aborted";
}

/** A running fault server. */
export interface FaultServer {
  /** "http://127.0.0.1:<port>" */
  readonly url: string;
  readonly port: number;
  /** Every request, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** Sets the fault for one pathname (query ignored) until replaced; "*" is the default route. */
  on(pathname: string, fault: Fault): void;
  /** Queues faults for the next requests, whatever their path; they win over routes. */
  next(...queued: Fault[]): void;
  /** Requests seen for `pathname`, or all of them. */
  count(pathname?: string): number;
  /** Resolves once no answer is in flight. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(16 * 1024, "x");

/** Starts a fault server; unrouted paths answer 404. */
export async function startFaultServer(): Promise<FaultServer> {
  const routes = new Map<string, Fault>();
  const queue: Fault[] = [];
  const requests: RecordedRequest[] = [];
  const served = new WeakMap<Fault, number>();
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();

  const wait = (ms: number, response: ServerResponse): Promise<boolean> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve(!response.destroyed);
      }, ms);
      timers.add(timer);
      response.once("close", () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve(false);
      });
    });

  async function play(
    fault: Fault,
    request: RecordedRequest,
    res: ServerResponse,
    socket: Socket,
  ): Promise<void> {
    switch (fault.kind) {
      case "json":
        res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers });
        res.end(JSON.stringify(fault.body));
        return;
      case "text":
        res.writeHead(fault.status, { ...fault.headers });
        res.end(fault.body);
        return;
      case "slow":
        if (await wait(fault.delayMs, res)) await play(fault.then, request, res, socket);
        return;
      case "slow_body":
        res.writeHead(200, { "content-type": "application/json" });
        res.flushHeaders();
        if (await wait(fault.delayMs, res)) res.end(fault.body);
        return;
      case "reset":
        socket.resetAndDestroy();
        return;
      case "destroy":
        socket.destroy();
        return;
      case "oversized":
        await stream(fault.bytes, fault.contentLength, res);
        return;
      case "lying_length":
        // Written past Node's HTTP layer, which would refuse a body that disagrees with its length.
        socket.end(
          `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${fault.declared}\r\n` +
            `connection: close\r\n\r\n${fault.body}`,
        );
        return;
      case "flapping": {
        const count = served.get(fault) ?? 0;
        served.set(fault, count + 1);
        await play(count < fault.failures ? fault.failure : fault.then, request, res, socket);
        return;
      }
      case "dynamic":
        await play(fault.respond(request), request, res, socket);
        return;
    }
  }

  async function stream(
    bytes: number,
    contentLength: "honest" | "absent",
    res: ServerResponse,
  ): Promise<void> {
    res.writeHead(200, {
      "content-type": "application/json",
      ...(contentLength === "honest" ? { "content-length": String(bytes) } : {}),
    });
    let left = bytes;
    while (left > 0 && !res.destroyed) {
      const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
      left -= chunk.length;
      if (!res.write(chunk) && !(await drained(res))) return;
    }
    if (!res.destroyed) res.end();
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const request: RecordedRequest = {
      method: req.method ?? "GET",
      pathname: url.pathname,
      query: url.searchParams,
      target: req.url ?? "/",
      headers: req.headers,
      state: "pending",
    };
    requests.push(request);
    res.once("finish", () => {
      request.state = "finished";
    });
    res.once("close", () => {
      if (request.state === "pending") request.state = "aborted";
    });
    // Sockets written to after the client left raise EPIPE/ECONNRESET: expected here, not a test failure.
    res.on("error", () => undefined);
    const fault = queue.shift() ?? routes.get(url.pathname) ?? routes.get("*") ?? faults.status(404);
    const playing = play(fault, request, res, req.socket)
      .catch(() => {
        res.destroy();
      })
      .finally(() => inFlight.delete(playing));
    inFlight.add(playing);
  }

  const server = createServer(handle);
  server.on("clientError", (_error, socket) => {
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    on(pathname, fault) {
      routes.set(pathname, fault);
    },
    next(...queued) {
      queue.push(...queued);
    },
    count(pathname) {
      return pathname === undefined
        ? requests.length
        : requests.filter((r) => r.pathname === pathname).length;
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

/** Below 1024: the kernel never hands it out as an ephemeral port, and fetch does not block it. */
const PRIVILEGED_CLOSED_PORT = 47;

/**
 * A loopback port where connecting is refused. A port that was just listening and is closed again
 * can be handed to another test's server a moment later (test files run in parallel), and a
 * fetch to it then hangs instead of failing; so a privileged port nobody listens on is preferred,
 * and the old way is the fallback if something does.
 */
export async function closedPort(): Promise<number> {
  if (await refuses(PRIVILEGED_CLOSED_PORT)) return PRIVILEGED_CLOSED_PORT;
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      resolve(error.code === "ECONNREFUSED");
    });
  });
}

/** Waits for backpressure to clear; false if the client went away instead. */
function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (value: boolean) => () => {
      res.off("drain", onDrain);
      res.off("close", onClose);
      resolve(value);
    };
    const onDrain = settle(true);
    const onClose = settle(false);
    res.once("drain", onDrain);
    res.once("close", onClose);
  });
}

function json(status: number, body: unknown, headers?: Record<string, string>): Fault {
  return headers === undefined ? { kind: "json", status, body } : { kind: "json", status, body, headers };
}

function retryAfterHeader(
  retryAfter: number | string | Date | undefined,
): Record<string, string> | undefined {
  if (retryAfter === undefined) return undefined;
  const value = retryAfter instanceof Date ? retryAfter.toUTCString() : String(retryAfter);
  return { "retry-after": value };
}
