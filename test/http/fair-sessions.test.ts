import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createKey, keysFilePath } from "../helpers/api-keys.js";
import { deadlineSignal, withDeadline } from "../helpers/deadline.js";
import { McpHttpSession, readAnswer } from "../helpers/mcp-http-session.js";
import { initializeBody, mcpHeaders } from "../helpers/mcp-requests.js";
import { startServer } from "../helpers/test-server.js";

/** Sends initialize (with `headers`), as a new client would; returns the raw answer. */
async function initialize(mcpUrl: URL, headers: Record<string, string> = {}) {
  return readAnswer(
    await fetch(mcpUrl, {
      method: "POST",
      headers: { ...mcpHeaders, ...headers },
      body: JSON.stringify(initializeBody()),
      signal: AbortSignal.timeout(5_000),
    }),
  );
}

const ping = { jsonrpc: "2.0", id: 7, method: "ping" };

describe("fair sessions", () => {
  it("a held GET stream does not keep an idle session alive: expiry ends the stream and the session", async () => {
    const server = await startServer({ SESSION_IDLE_TIMEOUT_MS: "1000" });
    try {
      const session = await McpHttpSession.open(server.mcpUrl);
      const stream = await session.get({ timeoutMs: 8_000 });
      assert.equal(stream.status, 200);
      // The body ends only when the server closes the stream: the sweep must do that by itself.
      await withDeadline("the idle sweep to end the held GET stream", stream.text(), 6_000);
      assert.equal(server.services.endpoint.sessionCount, 0);
      const after = await readAnswer(await session.post(ping));
      assert.equal(after.status, 404, "the expired session is unknown; clients re-initialize");
    } finally {
      await server.close();
    }
  });

  it("SESSION_MAX_LIFETIME_MS ends a busy session, and a full server's Retry-After is when it ends", async () => {
    const server = await startServer({
      MAX_SESSIONS: "1",
      SESSION_IDLE_TIMEOUT_MS: "600000",
      SESSION_MAX_LIFETIME_MS: "3000",
    });
    try {
      const session = await McpHttpSession.open(server.mcpUrl);
      const stream = await session.get({ timeoutMs: 10_000 });
      const refused = await initialize(server.mcpUrl);
      assert.equal(refused.status, 503);
      const retryAfter = Number(refused.headers.get("retry-after"));
      // The slot frees at the session's end of life (3 s), not after the 600 s idle timeout.
      assert.ok(retryAfter >= 1 && retryAfter <= 3, `Retry-After ${String(retryAfter)}`);
      await withDeadline("the lifetime sweep to end the stream", stream.text(), 8_000);
      const admitted = await initialize(server.mcpUrl);
      assert.equal(admitted.status, 200, admitted.text);
    } finally {
      await server.close();
    }
  });

  it("one principal holding its share cannot keep another from opening a session", async () => {
    const file = keysFilePath();
    const greedy = await createKey(file, "greedy");
    const other = await createKey(file, "other");
    const server = await startServer({
      AUTH_API_KEYS_FILE: file,
      MAX_SESSIONS: "4",
      MAX_SESSIONS_PER_PRINCIPAL: "2",
    });
    try {
      const asGreedy = { Authorization: `Bearer ${greedy.key}` };
      for (let i = 0; i < 2; i++) await McpHttpSession.open(server.mcpUrl, { headers: asGreedy });
      const refused = await initialize(server.mcpUrl, asGreedy);
      assert.equal(refused.status, 429, refused.text);
      assert.equal(refused.messages[0]?.error?.data?.reason, "principal_capacity");
      assert.ok(Number(refused.headers.get("retry-after")) >= 1, "Retry-After is set");
      const asOther = { Authorization: `Bearer ${other.key}` };
      const admitted = await McpHttpSession.open(server.mcpUrl, { headers: asOther });
      assert.equal((await readAnswer(await admitted.post(ping))).status, 200);
      const metrics = await (
        await fetch(new URL("/metrics", server.url), { signal: deadlineSignal("GET /metrics") })
      ).text();
      assert.match(metrics, /mcp_sessions_rejected_total\{reason="principal_capacity"\} 1/);
    } finally {
      await server.close();
    }
  });
});
