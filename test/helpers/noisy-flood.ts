import { McpHttpSession, readAnswer, toolCallRequest } from "./mcp-http-session.js";
import { initializeBody, mcpHeaders } from "./mcp-requests.js";

/**
 * A flooding principal, run as its own process (`node --import tsx test/helpers/noisy-flood.ts
 * MCP_URL API_KEY MS`) so that its client work does not share the measuring test's event loop:
 * sessions with held GET streams until refused, batches of process_files at the per-POST item
 * cap, batches of get_item misses, all without backoff. Prints what it got as one JSON line.
 */

const FILES = ["README.md", "docs/guide.md", "docs/api-reference.md", "data/sales-2024.csv", "src/app.py"];
const [mcpArg = "", key = "", msArg = "10000"] = process.argv.slice(2);
const mcpUrl = new URL(mcpArg);
const auth = { Authorization: `Bearer ${key}` };
const stop = AbortSignal.timeout(Number(msArg));
const statuses = new Map<string, number>();
const count = (kind: string) => statuses.set(kind, (statuses.get(kind) ?? 0) + 1);

async function holdSessions(): Promise<void> {
  while (!stop.aborted) {
    const res = await fetch(mcpUrl, {
      method: "POST",
      headers: { ...mcpHeaders, ...auth },
      body: JSON.stringify(initializeBody()),
      signal: stop,
    }).catch(() => undefined);
    if (res === undefined) return;
    count(`initialize ${String(res.status)}`);
    const id = res.headers.get("mcp-session-id");
    await res.text().catch(() => "");
    if (id === null) continue;
    const headers = {
      ...auth,
      Accept: "text/event-stream",
      "Mcp-Session-Id": id,
      "MCP-Protocol-Version": "2025-11-25",
    };
    // Held until the flood ends: the stream's body is never read.
    void fetch(mcpUrl, { headers, signal: stop }).catch(() => undefined);
  }
}

async function repeat(session: McpHttpSession, body: () => unknown, kind: string): Promise<void> {
  while (!stop.aborted) {
    const answer = await session
      .post(body(), { timeoutMs: 30_000, signal: stop })
      .then(readAnswer)
      .catch(() => undefined);
    if (answer !== undefined) count(`${kind} ${String(answer.status)}`);
  }
}

const session = await McpHttpSession.open(mcpUrl, { headers: auth });
const paths = Array.from({ length: 50 }, (_, index) => FILES[index % FILES.length] ?? "README.md");
// Ids unique across the session: concurrent POSTs must not reuse a request id (409).
let nextId = 0;
const bigBatch = () =>
  Array.from({ length: 20 }, () =>
    toolCallRequest(++nextId, "process_files", { file_paths: paths, operation: "summarize" }),
  );
const misses = () =>
  Array.from({ length: 20 }, () => toolCallRequest(++nextId, "get_item", { id: `nope-${String(nextId)}` }));
await Promise.all([
  holdSessions(),
  repeat(session, bigBatch, "batch"),
  repeat(session, bigBatch, "batch"),
  repeat(session, bigBatch, "batch"),
  repeat(session, misses, "misses"),
  repeat(session, misses, "misses"),
]);
process.stdout.write(`${JSON.stringify(Object.fromEntries(statuses))}\n`);
process.exit(0);
