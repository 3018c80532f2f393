import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium, type BrowserContext, type CDPSession, type Page } from "playwright-core";
import { startAuthorizationServer, type AuthorizationServer } from "../helpers/authorization-server.js";
import { createKey, keysFilePath } from "../helpers/api-keys.js";
import { withDeadline } from "../helpers/deadline.js";
import { startServerWithPublicUrl } from "../helpers/public-url-server.js";
import type { RunningServer } from "../helpers/test-server.js";
import type { McpPage } from "./browser/mcp-page.js";

const CHROMIUM = "/usr/bin/chromium";
/** Without the background-networking flags chromium keeps calling home, which a closed network floods with retries. */
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A static site on its own loopback origin: the page and the bundled SDK client it runs. */
async function startPageServer(script: string): Promise<{ origin: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url === "/mcp-page.js") {
      res.writeHead(200, { "content-type": "text/javascript" }).end(script);
    } else if (req.url === "/") {
      res
        .writeHead(200, { "content-type": "text/html" })
        .end('<!doctype html><title>MCP page</title><script type="module" src="/mcp-page.js"></script>');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
    server.closeAllConnections();
  });
}

/** What chromium's own network log saw: every response, CORS preflights included. */
interface SeenResponse {
  readonly url: string;
  readonly status: number;
  readonly type: string;
  readonly method: string | undefined;
  readonly headers: Record<string, string>;
  readonly origin: string | undefined;
}

async function watchNetwork(cdp: CDPSession, seen: SeenResponse[]): Promise<void> {
  const requests = new Map<string, { method: string; origin: string | undefined }>();
  cdp.on("Network.requestWillBeSent", (event) => {
    requests.set(event.requestId, { method: event.request.method, origin: event.request.headers.Origin });
  });
  cdp.on("Network.responseReceived", (event) => {
    const request = requests.get(event.requestId);
    seen.push({
      url: event.response.url,
      status: event.response.status,
      type: event.type,
      method: request?.method,
      origin: request?.origin,
      headers: Object.fromEntries(
        Object.entries(event.response.headers).map(([k, v]) => [k.toLowerCase(), v]),
      ),
    });
  });
  await cdp.send("Network.enable");
}

/** Runs one of the page's probes in chromium, with a deadline naming it. */
async function run<K extends keyof McpPage>(
  page: Page,
  probe: K,
  ...args: Parameters<McpPage[K]>
): Promise<Awaited<ReturnType<McpPage[K]>>> {
  const result = page.evaluate(
    ([name, params]) => {
      const api = (
        globalThis as unknown as { mcpPage: Record<string, (...values: unknown[]) => Promise<unknown>> }
      ).mcpPage;
      return api[name]?.(...params);
    },
    [probe, args] as const,
  );
  return (await withDeadline(`page probe ${probe}`, result)) as Awaited<ReturnType<McpPage[K]>>;
}

async function openPage(context: BrowserContext, origin: string, seen: SeenResponse[]): Promise<Page> {
  const page = await context.newPage();
  await watchNetwork(await context.newCDPSession(page), seen);
  await withDeadline(`page ${origin}`, page.goto(`${origin}/`));
  await withDeadline(
    "the SDK bundle to load",
    page.waitForFunction(() => "mcpPage" in globalThis),
  );
  return page;
}

describe("a browser client, for real (chromium headless, another origin)", { timeout: 90_000 }, () => {
  let as: AuthorizationServer;
  let server: RunningServer;
  let allowedSite: { origin: string; server: Server };
  let otherSite: { origin: string; server: Server };
  let context: BrowserContext;
  let profile: string;
  let key: string;
  let audience: string;
  const seen: SeenResponse[] = [];

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `${CHROMIUM} is missing: apt-get install -y chromium (scripts/test.sh does)`,
    );
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL("browser/mcp-page.ts", import.meta.url))],
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "chrome120",
      write: false,
      logLevel: "silent",
    });
    const script = bundle.outputFiles[0]?.text ?? "";
    allowedSite = await startPageServer(script);
    otherSite = await startPageServer(script);
    const file = keysFilePath();
    ({ key } = await createKey(file, "browser-user"));
    server = await startServerWithPublicUrl(async (publicUrl) => {
      audience = `${publicUrl}/mcp`;
      as = await startAuthorizationServer([audience], {
        publicClients: [{ clientId: "browser-app", redirectUri: `${allowedSite.origin}/callback` }],
      });
      return { AUTH_API_KEYS_FILE: file, AUTH_ISSUER: as.issuer, ALLOWED_ORIGINS: allowedSite.origin };
    });
    profile = mkdtempSync(join(tmpdir(), "resilient-mcp-chromium-"));
    context = await withDeadline(
      "chromium to start",
      chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        chromiumSandbox: false,
        args: CHROMIUM_FLAGS,
      }),
      30_000,
    );
  });
  after(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    await server.close();
    await as.close();
    await closeServer(allowedSite.server);
    await closeServer(otherSite.server);
  });

  it("reads a 401 and its WWW-Authenticate from another allowed origin", async () => {
    const page = await openPage(context, allowedSite.origin, seen);
    const answer = await run(page, "probeUnauthenticated", server.mcpUrl.href);
    assert.equal(answer.status, 401);
    assert.match(String(answer.wwwAuthenticate), /^Bearer resource_metadata="[^"]+", scope="mcp"$/);
    assert.equal((answer.body as any).error.data.reason, "missing");
    await page.close();
  });

  it("the SDK client starts its OAuth flow from that 401 (metadata read cross-origin, authorization URL built)", async () => {
    const page = await openPage(context, allowedSite.origin, seen);
    const started = await run(
      page,
      "startOAuth",
      server.mcpUrl.href,
      "browser-app",
      `${allowedSite.origin}/callback`,
    );
    assert.equal(started.error, "UnauthorizedError");
    const opened = new URL(String(started.opened));
    assert.equal(opened.origin, as.issuer);
    assert.equal(opened.searchParams.get("resource"), audience);
    assert.equal(opened.searchParams.get("scope"), "mcp");
    assert.equal(opened.searchParams.get("code_challenge_method"), "S256");
    await page.close();
  });

  it("the SDK client with a bearer key passes the preflight, reads Mcp-Session-Id and calls a tool", async () => {
    const page = await openPage(context, allowedSite.origin, seen);
    const connected = await run(page, "connectWithKey", server.mcpUrl.href, key);
    assert.match(String(connected.sessionId), /^[0-9a-f-]{36}$/, "the page read Mcp-Session-Id");
    assert.equal((connected.structured as any).success, true);
    const preflight = seen.find(
      (response) =>
        response.type === "Preflight" &&
        response.url === server.mcpUrl.href &&
        response.headers["access-control-allow-headers"]?.toLowerCase().includes("authorization"),
    );
    assert.ok(
      preflight,
      `chromium saw the preflight: ${JSON.stringify(seen.filter((r) => r.type === "Preflight"))}`,
    );
    assert.ok(preflight.status >= 200 && preflight.status < 300);
    const allowed = String(preflight.headers["access-control-allow-headers"]).toLowerCase();
    for (const header of ["authorization", "mcp-session-id", "mcp-protocol-version"]) {
      assert.ok(allowed.includes(header), `${header} allowed: ${allowed}`);
    }
    assert.equal(preflight.headers["access-control-allow-origin"], allowedSite.origin);
    await page.close();
  });

  it("a page from an origin the server does not allow is refused (403) and cannot read the answer", async () => {
    const page = await openPage(context, otherSite.origin, seen);
    const attempt = await run(page, "postFromHere", server.mcpUrl.href);
    assert.equal(attempt.readable, false, "the page gets a network error, not the response");
    const refused = seen.find(
      (response) => response.url === server.mcpUrl.href && response.origin === otherSite.origin,
    );
    assert.ok(refused, "chromium logged the refused request");
    assert.equal(refused.status, 403);
    await page.close();
  });
});
