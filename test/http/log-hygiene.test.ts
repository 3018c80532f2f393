import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { sessionFingerprint } from "../../src/observability/session-fingerprint.js";
import { deadlineSignal } from "../helpers/deadline.js";
import { McpHttpSession, readAnswer } from "../helpers/mcp-http-session.js";
import { toolCallRequest } from "../helpers/mcp-http-session.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";

/**
 * What the log keeps of a request: its path without the query string, a fingerprint of the
 * session instead of its id, and nothing that authenticates (Authorization, a key in the query,
 * Mcp-Session-Id), whatever the request and at every level.
 */

const QUERY_SECRET = "qs-secret-7f3a9c";
const BEARER_SECRET = "bearer-secret-41d2e8";

describe("log hygiene", () => {
  let server: RunningServer;
  let session: McpHttpSession;

  before(async () => {
    server = await startServer({ LOG_LEVEL: "debug" });
    session = await McpHttpSession.open(server.mcpUrl);
    const send = (path: string, init: RequestInit) =>
      fetch(new URL(path, server.url), { ...init, signal: deadlineSignal(`answer to ${path}`) }).then(
        readAnswer,
      );
    await readAnswer(await session.post(toolCallRequest(2, "get_user", { user_id: "1" })));
    await readAnswer(await session.post(toolCallRequest(3, "get_user", { user_id: "no-such-user" })));
    await send(`/mcp?api_key=${QUERY_SECRET}&x=1`, { method: "POST", headers: session.headers, body: "{}" });
    await send(`/health?token=${QUERY_SECRET}`, { method: "GET" });
    await send(`/nope?${QUERY_SECRET}#frag`, { method: "GET" });
    await send("/mcp", {
      method: "POST",
      headers: { ...session.headers, Authorization: `Bearer ${BEARER_SECRET}` },
      body: JSON.stringify(toolCallRequest(4, "get_user", { user_id: "1" })),
    });
    await session.delete();
    // pino-http writes a request's line when its response finishes.
    await delay(50);
  });
  after(async () => {
    await server.close();
  });

  it("no line carries the session id, a query string credential or a bearer token", () => {
    const raw = server.logs.raw.join("\n");
    assert.ok(server.logs.raw.length > 10, `enough lines to judge (${server.logs.raw.length})`);
    assert.ok(!raw.includes(session.id), "the session id never reaches the log");
    assert.ok(!raw.includes(QUERY_SECRET), "a query string value never reaches the log");
    assert.ok(!raw.includes(BEARER_SECRET), "a bearer token never reaches the log");
  });

  it("request lines show the path without its query string", () => {
    const urls = server.logs.lines
      .map((line) => (line.req as { url?: unknown } | undefined)?.url)
      .filter((url): url is string => typeof url === "string");
    assert.ok(urls.includes("/health") && urls.includes("/nope"), JSON.stringify(urls));
    for (const url of urls) assert.doesNotMatch(url, /[?#]/, `logged URL ${url}`);
  });

  it("the session's request lines and the session manager's lines carry its fingerprint", () => {
    const fingerprint = sessionFingerprint(session.id);
    assert.match(String(fingerprint), /^[0-9a-f]{12}$/);
    const requestLines = server.logs.lines.filter(
      (line) => (line.req as { mcp_session_id?: unknown } | undefined)?.mcp_session_id === fingerprint,
    );
    assert.ok(requestLines.length >= 4, `request lines with the fingerprint: ${requestLines.length}`);
    const opened = server.logs.find({ msg: "session opened" });
    assert.equal(opened.length, 1);
    assert.equal(opened[0]?.mcp_session_id, fingerprint, "the session manager's line too");
  });
});
