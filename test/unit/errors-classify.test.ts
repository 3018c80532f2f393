import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile, chmod, link } from "node:fs/promises";
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { z } from "zod";
import { classifyError } from "../../src/errors/classify.js";
import { ToolError } from "../../src/errors/tool-error.js";
import { UpstreamError, asUpstreamError } from "../../src/errors/upstream-error.js";
import { DeadlineError, deadlineSignal, withDeadline } from "../helpers/deadline.js";
import { closedPort } from "../helpers/fault-server.js";

async function caught(action: () => unknown): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  assert.fail("expected the action to throw");
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve((server.address() as AddressInfo).port);
    });
  });
}

describe("classifyError: pass-through and programmer errors", () => {
  it("returns a ToolError unchanged", () => {
    const error = new ToolError("conflict", "busy");
    assert.equal(classifyError(error), error);
  });

  it("makes a real TypeError internal, keeping it as the cause", () => {
    const original = (() => {
      try {
        (undefined as unknown as () => void)();
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    const classified = classifyError(original);
    assert.equal(classified.type, "internal_error");
    assert.equal(classified.cause, original);
  });

  it("makes a thrown string internal, with an Error cause that has a stack", () => {
    const classified = classifyError("kaboom");
    assert.equal(classified.type, "internal_error");
    assert.ok(classified.cause instanceof Error);
    assert.match(classified.cause.message, /kaboom/);
  });

  it("leaves a bare JSON SyntaxError internal: it could be our own bug", async () => {
    const error = await caught(() => JSON.parse("<html>oops</html>"));
    assert.ok(error instanceof SyntaxError);
    assert.equal(classifyError(error).type, "internal_error");
  });
});

describe("classifyError: zod", () => {
  it("turns a real ZodError into one validation_error naming each field", async () => {
    const error = await caught(() => z.object({ a: z.string(), b: z.number().max(3) }).parse({ a: 1, b: 9 }));
    const classified = classifyError(error);
    assert.equal(classified.type, "validation_error");
    assert.deepEqual(
      classified.details.fields?.map((field) => field.field),
      ["a", "b"],
    );
    assert.equal(classified.details.fields[1]?.expected, "<= 3");
  });
});

describe("classifyError: file system (real errors on a temp dir)", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "classify-"));
    await writeFile(join(dir, "file.txt"), "hello");
    await mkdir(join(dir, "sub"));
    await symlink(join(dir, "loop-a"), join(dir, "loop-b"));
    await symlink(join(dir, "loop-b"), join(dir, "loop-a"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("ENOENT is not_found, without the path in the message", async () => {
    const error = await caught(() => readFile(join(dir, "missing.txt")));
    const classified = classifyError(error);
    assert.equal(classified.type, "not_found");
    assert.equal(classified.details.resource_type, "file");
    assert.doesNotMatch(classified.message, new RegExp(dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  });

  it("ENOTDIR is not_found", async () => {
    const error = await caught(() => readFile(join(dir, "file.txt", "inside")));
    assert.equal((error as { code?: string }).code, "ENOTDIR");
    assert.equal(classifyError(error).type, "not_found");
  });

  it("EISDIR is a validation_error on path", async () => {
    const error = await caught(() => readFile(join(dir, "sub")));
    assert.equal((error as { code?: string }).code, "EISDIR");
    const classified = classifyError(error);
    assert.equal(classified.type, "validation_error");
    assert.equal(classified.details.field, "path");
  });

  it("ELOOP is permission_denied (symlinks are refused)", async () => {
    const error = await caught(() => readFile(join(dir, "loop-a")));
    assert.equal((error as { code?: string }).code, "ELOOP");
    assert.equal(classifyError(error).type, "permission_denied");
  });

  it("EACCES or EPERM is permission_denied", async () => {
    // As root, mode 000 does not stop a read; linking a directory is refused even to root.
    await chmod(join(dir, "file.txt"), 0o000);
    let error = await readFile(join(dir, "file.txt")).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    error ??= await caught(() => link(join(dir, "sub"), join(dir, "hard-link")));
    assert.ok(["EACCES", "EPERM"].includes(String((error as { code?: string }).code)));
    assert.equal(classifyError(error).type, "permission_denied");
  });

  it("EEXIST is already_exists", async () => {
    const error = await caught(() => mkdir(join(dir, "sub")));
    assert.equal(classifyError(error).type, "already_exists");
  });

  it("an ENOENT from spawn is internal: a missing executable is our fault", async () => {
    const error = await withDeadline(
      "the error event of spawning a missing command",
      new Promise<unknown>((resolve) => {
        spawn("definitely-not-a-command-7f3a").on("error", resolve);
      }),
    );
    assert.equal((error as { code?: string }).code, "ENOENT");
    assert.equal(classifyError(error).type, "internal_error");
  });
});

// A hung socket must fail the test, not stall the suite.
describe("classifyError: network (real sockets on loopback)", { timeout: 10_000 }, () => {
  // Server-side sockets are destroyed too: one left open keeps the test process from exiting.
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  function serve(onConnection: (socket: Socket) => void): Server {
    const server = createServer((socket) => {
      sockets.add(socket);
      onConnection(socket);
    });
    servers.push(server);
    return server;
  }
  after(() => {
    for (const socket of sockets) socket.destroy();
    for (const server of servers) server.close();
  });

  it("fetch to a closed port is external_service_error connection_failed", async () => {
    const port = await closedPort();
    const error = await caught(() =>
      fetch(`http://127.0.0.1:${port}/`, { signal: deadlineSignal("fetch to a closed port") }),
    );
    assert.equal((error as Error).message, "fetch failed");
    const classified = classifyError(error);
    assert.equal(classified.type, "external_service_error");
    assert.equal(classified.details.kind, "connection_failed");
    assert.equal(classified.retryable, true);
  });

  it("a raw socket ECONNREFUSED (as ioredis sees it) is connection_failed", async () => {
    const port = await closedPort();
    const error = await withDeadline(
      "a connect to a closed port",
      new Promise<unknown>((resolve) => {
        connect(port, "127.0.0.1").on("error", resolve);
      }),
    );
    assert.equal(classifyError(error).details.kind, "connection_failed");
  });

  it("a server that hangs up mid-request is connection_failed (UND_ERR_SOCKET)", async () => {
    // The server hangs up once the request has arrived. Destroying the socket on connect instead
    // races undici's connect and, about once in 300 runs, leaves the fetch unsettled forever.
    const server = serve((socket) => socket.once("data", () => socket.destroy()));
    const port = await listen(server);
    const error = await caught(() =>
      fetch(`http://127.0.0.1:${port}/`, { signal: deadlineSignal("fetch to a server that hangs up") }),
    );
    assert.ok(!(error instanceof DeadlineError), String(error));
    assert.equal(((error as Error).cause as { code?: string } | undefined)?.code, "UND_ERR_SOCKET");
    const classified = classifyError(error);
    assert.equal(classified.type, "external_service_error");
    assert.equal(classified.details.kind, "connection_failed");
  });

  it("AbortSignal.timeout() is a timeout; wrapped as upstream it is that service's timeout", async () => {
    const server = serve(() => undefined);
    const port = await listen(server);
    const error = await caught(() => fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(30) }));
    assert.equal((error as DOMException).name, "TimeoutError");
    const bare = classifyError(error);
    assert.equal(bare.type, "timeout");
    assert.equal(bare.retryable, true);
    const wrapped = classifyError(asUpstreamError("slow-api", error));
    assert.equal(wrapped.type, "external_service_error");
    assert.equal(wrapped.details.kind, "timeout");
    assert.equal(wrapped.details.service, "slow-api");
  });

  it("an aborted fetch is cancelled, even inside an UpstreamError", async () => {
    const server = serve(() => undefined);
    const port = await listen(server);
    const controller = new AbortController();
    const pending = caught(() => fetch(`http://127.0.0.1:${port}/`, { signal: controller.signal }));
    controller.abort();
    const error = await pending;
    assert.equal((error as DOMException).name, "AbortError");
    assert.equal(classifyError(error).type, "cancelled");
    assert.equal(classifyError(asUpstreamError("api", error)).type, "cancelled");
  });

  it("an abort whose cause is the socket it closed is still a cancellation", () => {
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    const aborted = Object.assign(new Error("The operation was aborted", { cause: reset }), {
      name: "AbortError",
    });
    assert.equal(classifyError(aborted).type, "cancelled");
  });

  it("undici timeouts inside 'fetch failed' are kind timeout", () => {
    for (const code of ["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]) {
      const error = new TypeError("fetch failed", { cause: Object.assign(new Error("timeout"), { code }) });
      assert.equal(classifyError(error).details.kind, "timeout", code);
    }
    for (const code of ["ECONNRESET", "ENOTFOUND", "EAI_AGAIN"]) {
      const error = new TypeError("fetch failed", { cause: Object.assign(new Error(code), { code }) });
      assert.equal(classifyError(error).details.kind, "connection_failed", code);
    }
  });

  it("a fetch failure without a known network code (bad port) is internal: our configuration", async () => {
    const error = await caught(() =>
      fetch("http://127.0.0.1:1/", { signal: deadlineSignal("fetch to a blocked port") }),
    );
    assert.equal(classifyError(error).type, "internal_error");
    // Also when an upstream client wrapped it: retrying a blocked port cannot help.
    const wrapped = classifyError(asUpstreamError("api", error));
    assert.equal(wrapped.type, "internal_error", "a wrapped configuration failure is not a service failure");
    assert.equal(wrapped.retryable, false, "and it is not retryable");
  });
});

describe("classifyError: upstream HTTP", () => {
  it("maps statuses: 429 rate_limited, 5xx server_error, 408 timeout, other 4xx client_error", () => {
    const limited = classifyError(
      new UpstreamError("api", "HTTP 429", { status: 429, retryAfterSeconds: 12 }),
    );
    assert.equal(limited.type, "rate_limited");
    assert.equal(limited.retryAfterSeconds, 12);
    assert.equal(limited.details.service, "api");
    const cases = [
      [500, "server_error"],
      [503, "server_error"],
      [408, "timeout"],
      [404, "client_error"],
      [401, "client_error"],
    ] as const;
    for (const [status, kind] of cases) {
      const classified = classifyError(new UpstreamError("api", `HTTP ${status}`, { status }));
      assert.equal(classified.type, "external_service_error", String(status));
      assert.equal(classified.details.kind, kind, String(status));
      assert.equal(classified.details.status_code, status);
    }
  });

  it("a JSON body that does not parse is bad_response when marked upstream", async () => {
    const syntax = await caught(() => JSON.parse("<html>"));
    const classified = classifyError(asUpstreamError("weather-api", syntax));
    assert.equal(classified.details.kind, "bad_response");
    assert.equal(classified.retryable, false);
    assert.equal(classified.message, "weather-api sent a response that could not be understood");
  });

  it("an upstream body of the wrong shape (ZodError) is bad_response, not validation_error", async () => {
    const zodError = await caught(() => z.object({ temp: z.number() }).parse({ temp: "hot" }));
    const classified = classifyError(
      new UpstreamError("weather-api", "bad shape", { status: 200, cause: zodError }),
    );
    assert.equal(classified.type, "external_service_error");
    assert.equal(classified.details.kind, "bad_response");
  });

  it("an explicit kind wins (circuit_open)", () => {
    const classified = classifyError(new UpstreamError("api", "open", { kind: "circuit_open" }));
    assert.equal(classified.details.kind, "circuit_open");
    assert.equal(classified.retryable, true);
  });
});

describe("classifyError: SQLite (better-sqlite3 and node:sqlite shapes)", () => {
  class SqliteError extends Error {
    override readonly name = "SqliteError";
    constructor(
      message: string,
      readonly code: string,
    ) {
      super(message);
    }
  }

  it("unique violations are already_exists", () => {
    const classified = classifyError(
      new SqliteError("UNIQUE constraint failed: users.email", "SQLITE_CONSTRAINT_UNIQUE"),
    );
    assert.equal(classified.type, "already_exists");
    assert.doesNotMatch(classified.message, /users\.email/, "no SQL detail leaves");
    const nodeSqlite = Object.assign(new Error("constraint failed"), {
      code: "ERR_SQLITE_ERROR",
      errcode: 2067,
    });
    assert.equal(classifyError(nodeSqlite).type, "already_exists");
  });

  it("busy and locked are a retryable conflict", () => {
    for (const code of ["SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_LOCKED"]) {
      const classified = classifyError(new SqliteError("database is locked", code));
      assert.equal(classified.type, "conflict", code);
      assert.equal(classified.retryable, true);
      assert.equal(classified.retryAfterSeconds, 1);
    }
    assert.equal(
      classifyError(Object.assign(new Error("busy"), { code: "ERR_SQLITE_ERROR", errcode: 5 })).type,
      "conflict",
    );
  });

  it("read-only is permission_denied; full and corrupt are internal", () => {
    assert.equal(classifyError(new SqliteError("readonly", "SQLITE_READONLY")).type, "permission_denied");
    assert.equal(classifyError(new SqliteError("full", "SQLITE_FULL")).type, "internal_error");
    assert.equal(classifyError(new SqliteError("corrupt", "SQLITE_CORRUPT")).type, "internal_error");
    assert.equal(
      classifyError(new SqliteError("not null", "SQLITE_CONSTRAINT_NOTNULL")).type,
      "internal_error",
    );
  });
});

describe("classifyError: Redis (ioredis and node-redis shapes)", () => {
  function named(name: string, message: string): Error {
    const error = new Error(message);
    error.name = name;
    return error;
  }

  it("lost connections are connection_failed for service redis", () => {
    for (const error of [
      named("MaxRetriesPerRequestError", "Reached the max retries per request limit (which is 20)."),
      new Error("Connection is closed."),
      named("ClientClosedError", "The client is closed"),
    ]) {
      const classified = classifyError(error);
      assert.equal(classified.type, "external_service_error", error.message);
      assert.equal(classified.details.kind, "connection_failed");
      assert.equal(classified.details.service, "redis");
    }
    assert.equal(
      classifyError(named("ConnectionTimeoutError", "Connection timeout")).details.kind,
      "timeout",
    );
  });

  it("transient replies are server_error, refused credentials client_error, bugs internal", () => {
    assert.equal(
      classifyError(named("ReplyError", "LOADING Redis is loading the dataset")).details.kind,
      "server_error",
    );
    assert.equal(
      classifyError(named("ReplyError", "NOAUTH Authentication required.")).details.kind,
      "client_error",
    );
    assert.equal(
      classifyError(named("ReplyError", "WRONGTYPE Operation against a key holding the wrong kind")).type,
      "internal_error",
    );
  });
});
