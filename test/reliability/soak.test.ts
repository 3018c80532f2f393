import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import Database from "better-sqlite3";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { DATA_FILE_NAME } from "../../src/backends/store/sqlite-store.js";
import { faults, startFaultServer, type Fault, type FaultServer } from "../helpers/fault-server.js";
import {
  closeRawSession,
  countingFetch,
  healthStatus,
  inspectToolResult,
  metricValue,
  openRawSession,
  rawRequest,
  rawToolCall,
  rssKiB,
  type ToolOutcome,
} from "../helpers/reliability-http.js";
import { spawnServer, type ServerProcess } from "../helpers/server-process.js";
import { startWeatherFake, type WeatherFake } from "../helpers/weather-fake.js";

/**
 * Soak: several SDK clients and raw-HTTP clients (which open and end sessions as they go) call a
 * mix of tools that succeed and fail, against flapping upstreams, for a bounded time. The server
 * runs as its own process so its resident memory can be sampled. Figures are printed as one
 * "soak figures" diagnostic line (docs/reliability.md records them).
 */

const WARMUP_MS = 4_000;
// RELIABILITY_SOAK_MS runs the load longer by hand (e.g. 300000 for five minutes); CI keeps 20 s.
const LOAD_MS = Number(process.env.RELIABILITY_SOAK_MS ?? 20_000);
const SDK_CLIENTS = 4;
const RAW_CLIENTS = 2;
const CALLS_PER_RAW_SESSION = 25;
const CALL_TIMEOUT_MS = 15_000;
const SAMPLE_EVERY_MS = 500;
const HEAP_PROBE_EVERY_MS = 2_000;
const HEAP_PROBE = fileURLToPath(new URL("../helpers/reliability-heap-probe.ts", import.meta.url));
// Generous: V8 grows its heap in steps and the machine is shared; a leak of the load's size shows anyway.
const RSS_GROWTH_BOUND_KIB = 48 * 1024;
// The live heap after a full collection is steady within ~1 MiB once the sessions' bounded SSE
// event stores have filled; a leak of a few KiB per call (thousands of calls) exceeds this.
const HEAP_GROWTH_BOUND_BYTES = 10 * 1024 * 1024;

interface Scenario {
  readonly name: string;
  readonly weight: number;
  readonly tool: string;
  readonly args: (n: number) => Record<string, unknown>;
  /** Whether the outcome is the one this call must have; a string explains a mismatch. */
  readonly expect: (outcome: ToolOutcome) => boolean;
}

const isError = (type: string) => (outcome: ToolOutcome) => outcome.kind === "error" && outcome.type === type;
const RETRYABLE_UPSTREAM = new Set(["rate_limited", "external_service_error", "timeout"]);

const SCENARIOS: readonly Scenario[] = [
  {
    name: "get_user ok",
    weight: 4,
    tool: "get_user",
    args: () => ({ user_id: "1" }),
    expect: (o) => o.kind === "success",
  },
  {
    name: "get_user validation",
    weight: 2,
    tool: "get_user",
    args: () => ({ user_id: "abc" }),
    expect: isError("validation_error"),
  },
  {
    name: "get_user not_found",
    weight: 2,
    tool: "get_user",
    args: () => ({ user_id: "999" }),
    expect: isError("not_found"),
  },
  {
    name: "get_item not_found",
    weight: 1,
    tool: "get_item",
    args: () => ({ id: "item-01" }),
    expect: isError("not_found"),
  },
  {
    name: "search_files ok",
    weight: 2,
    tool: "search_files",
    args: () => ({ query: "sales" }),
    expect: (o) => o.kind === "success",
  },
  {
    name: "search_files outside workspace",
    weight: 1,
    tool: "search_files",
    args: () => ({ query: "passwd", path: "../../etc" }),
    expect: isError("permission_denied"),
  },
  {
    name: "process_files with a missing file",
    weight: 2,
    tool: "process_files",
    args: () => ({ file_paths: ["README.md", "missing-file.txt", "data/sales-2024.csv"] }),
    expect: (o) => o.kind === "batch" && o.failed === 1 && o.errorTypes[0] === "not_found",
  },
  {
    name: "manage_project already_exists",
    weight: 1,
    tool: "manage_project",
    args: () => ({ action: "create", project_name: "website-redesign" }),
    expect: isError("already_exists"),
  },
  {
    name: "manage_project not_found",
    weight: 1,
    tool: "manage_project",
    args: () => ({ action: "update", project_name: "websit-redesign", settings: { a: 1 } }),
    expect: isError("not_found"),
  },
  {
    name: "manage_project permission_denied",
    weight: 1,
    tool: "manage_project",
    args: () => ({ action: "delete", project_name: "mobile-app" }),
    expect: isError("permission_denied"),
  },
  {
    name: "manage_project bad action",
    weight: 1,
    tool: "manage_project",
    args: () => ({ action: "explode", project_name: "mobile-app" }),
    expect: isError("validation_error"),
  },
  {
    name: "fetch_api_data flapping upstream",
    weight: 3,
    tool: "fetch_api_data",
    args: () => ({ endpoint: "users/1" }),
    // Whatever the upstream did, the model is told whether and when to retry.
    expect: (o) =>
      o.kind === "success" ||
      (o.kind === "error" &&
        RETRYABLE_UPSTREAM.has(o.type) &&
        o.retry?.should_retry === true &&
        typeof o.retry?.retry_after_seconds === "number"),
  },
  {
    name: "get_weather degraded (alerts down)",
    weight: 1,
    tool: "get_weather",
    args: () => ({ location: "Miami" }),
    expect: (o) => o.kind === "success",
  },
  {
    name: "get_weather unknown place",
    weight: 1,
    tool: "get_weather",
    args: () => ({ location: "Atlantis" }),
    expect: isError("not_found"),
  },
  {
    name: "deploy_application (ok or conflict)",
    weight: 1,
    tool: "deploy_application",
    args: () => ({ app_name: "web-frontend", environment: "development" }),
    expect: (o) => o.kind === "success" || (o.kind === "error" && o.type === "conflict"),
  },
  {
    name: "import_records small batch",
    weight: 1,
    tool: "import_records",
    args: (n) => ({ items: [{ id: `soak-${n}`, name: `Soak item ${n}`, price_cents: n }] }),
    expect: (o) => o.kind === "success",
  },
];

const TOTAL_WEIGHT = SCENARIOS.reduce((sum, scenario) => sum + scenario.weight, 0);

/** A seeded generator (mulberry32), so every run draws the same mix. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick(random: () => number): Scenario {
  let left = random() * TOTAL_WEIGHT;
  for (const scenario of SCENARIOS) {
    left -= scenario.weight;
    if (left < 0) return scenario;
  }
  return SCENARIOS[0]!;
}

/** An upstream that flaps per request: ok, 503, ok, too slow, ok, 429, ok, connection reset. */
function flappingUpstream(): Fault {
  let n = 0;
  const cycle: Fault[] = [
    faults.ok({ id: 1, name: "Leanne" }),
    faults.unavailable(),
    faults.ok({ id: 1, name: "Leanne" }),
    faults.slow(1_500, faults.ok({ late: true })),
    faults.ok({ id: 1, name: "Leanne" }),
    faults.rateLimited(1),
    faults.ok({ id: 1, name: "Leanne" }),
    faults.reset(),
  ];
  return faults.dynamic(() => cycle[n++ % cycle.length]!);
}

/** The p-th percentile (0-1) of `values`. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

function floorsPer(samples: readonly { at: number; kib: number }[], windowMs: number): number[] {
  const floors: number[] = [];
  for (const { at, kib } of samples) {
    const slot = Math.floor(at / windowMs);
    floors[slot] = Math.min(floors[slot] ?? Number.POSITIVE_INFINITY, kib);
  }
  return floors.filter((kib) => Number.isFinite(kib));
}

describe("soak: sustained mixed load on a server process", { timeout: WARMUP_MS + LOAD_MS + 60_000 }, () => {
  let upstream: FaultServer;
  let weather: WeatherFake;
  let server: ServerProcess;
  let dataDir: string;

  before(async () => {
    upstream = await startFaultServer();
    upstream.on("*", flappingUpstream());
    weather = await startWeatherFake();
    weather.fail("alerts", faults.unavailable());
    dataDir = mkdtempSync(path.join(tmpdir(), "resilient-mcp-soak-"));
    server = await spawnServer({
      DATA_DIR: dataDir,
      UPSTREAM_BASE_URL: `${upstream.url}/api`,
      UPSTREAM_TIMEOUT_MS: "400",
      UPSTREAM_MAX_RETRIES: "1",
      UPSTREAM_BREAKER_FAILURES: "5",
      UPSTREAM_BREAKER_HALF_OPEN_MS: "1000",
      WEATHER_GEOCODING_URL: weather.url,
      WEATHER_FORECAST_URL: weather.url,
      WEATHER_ALERTS_URL: weather.url,
      WEATHER_TIMEOUT_MS: "1000",
      TOOL_TIMEOUT_MS: "5000",
      DEPLOY_QUEUED_MS: "100",
      DEPLOY_RUN_MS: "300",
      SHUTDOWN_GRACE_MS: "3000",
      // Lets the test ask the process for its live heap after a full collection (SIGUSR2).
      NODE_OPTIONS: `--expose-gc --import tsx --import ${HEAP_PROBE}`,
    });
  });

  after(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
    await upstream.close();
    await weather.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers every call with the right outcome, no 5xx, no crash, flat memory, nothing lost", async () => {
    const pid = server.child.pid!;
    const base = new URL(server.mcpUrl.origin);
    const statuses = new Map<number, number>();
    const fiveHundreds: string[] = [];
    const mismatches: string[] = [];
    const outcomes = new Map<string, number>();
    const failures: string[] = [];
    let calls = 0;
    let importsAcknowledged = 0;
    let rawSessions = 0;
    let nextId = 0;

    const record = (scenario: Scenario, outcome: ToolOutcome, n: number) => {
      calls += 1;
      const label =
        outcome.kind === "error" ? outcome.type : outcome.kind === "batch" ? "batch(partial)" : "success";
      outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
      if (scenario.tool === "import_records" && outcome.kind === "success") importsAcknowledged += 1;
      if (!scenario.expect(outcome) && mismatches.length < 20) {
        mismatches.push(`${scenario.name} #${n}: ${JSON.stringify(outcome).slice(0, 400)}`);
      }
    };

    const clients: Client[] = [];
    for (let i = 0; i < SDK_CLIENTS; i += 1) {
      const client = new Client({ name: `soak-${i}`, version: "1.0.0" });
      await client.connect(
        new StreamableHTTPClientTransport(server.mcpUrl, { fetch: countingFetch(statuses, fiveHundreds) }),
      );
      clients.push(client);
    }

    const rss: { at: number; kib: number }[] = [];
    const started = Date.now();
    const sampler = setInterval(() => {
      const kib = rssKiB(pid);
      if (kib !== undefined) rss.push({ at: Date.now() - started, kib });
    }, SAMPLE_EVERY_MS);
    const probesSentAt: number[] = [];
    const prober = setInterval(() => {
      probesSentAt.push(Date.now() - started);
      server.child.kill("SIGUSR2");
    }, HEAP_PROBE_EVERY_MS);
    const stopAt = started + WARMUP_MS + LOAD_MS;

    const sdkWorker = async (client: Client, seed: number) => {
      const random = seeded(seed);
      while (Date.now() < stopAt) {
        const scenario = pick(random);
        const n = (nextId += 1);
        try {
          const result = await client.callTool(
            { name: scenario.tool, arguments: scenario.args(n) },
            undefined,
            { timeout: CALL_TIMEOUT_MS },
          );
          record(scenario, inspectToolResult(result), n);
        } catch (error) {
          failures.push(`${scenario.name} #${n}: ${String(error)}`);
        }
      }
    };

    const rawWorker = async (seed: number) => {
      const random = seeded(seed);
      while (Date.now() < stopAt) {
        const session = await openRawSession(base);
        rawSessions += 1;
        for (let i = 0; i < CALLS_PER_RAW_SESSION && Date.now() < stopAt; i += 1) {
          const scenario = pick(random);
          const n = (nextId += 1);
          try {
            const { response, message } = await rawToolCall(
              base,
              session,
              n,
              scenario.tool,
              scenario.args(n),
            );
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
            if (response.status >= 500) fiveHundreds.push(`raw ${scenario.name}: ${response.text}`);
            assert.ok(message?.result, `no result: ${response.status} ${response.text.slice(0, 300)}`);
            record(scenario, inspectToolResult(message.result), n);
          } catch (error) {
            failures.push(`raw ${scenario.name} #${n}: ${String(error)}`);
          }
        }
        const deleted = await closeRawSession(base, session);
        statuses.set(deleted, (statuses.get(deleted) ?? 0) + 1);
      }
    };

    await Promise.all([
      ...clients.map((client, i) => sdkWorker(client, 1000 + i)),
      ...Array.from({ length: RAW_CLIENTS }, (_, i) => rawWorker(2000 + i)),
    ]);
    clearInterval(sampler);
    clearInterval(prober);
    await delay(300);
    const elapsedMs = Date.now() - started;

    // After the load: alive, healthy, no session left behind but the SDK clients' own.
    assert.equal(server.child.exitCode, null, "the server process is still running");
    assert.equal(await healthStatus(base), 200);
    const metrics = (await rawRequest(base, { method: "GET", path: "/metrics" })).text;
    const activeSessions = metricValue(metrics, /^mcp_sessions_active /);
    const servedCalls = metrics
      .split("\n")
      .filter((line) => line.startsWith("mcp_tool_calls_total{"))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
    const internalErrors = metrics
      .split("\n")
      .filter(
        (line) => line.startsWith("mcp_tool_errors_total{") && line.includes('error_type="internal_error"'),
      )
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);

    for (const client of clients) await client.close();

    const measured = rss.filter((sample) => sample.at >= WARMUP_MS);
    const half = Math.floor(measured.length / 2);
    const firstHalf = measured.slice(0, half).map((sample) => sample.kib);
    const secondHalf = measured.slice(half).map((sample) => sample.kib);
    const heap = [...server.output.join("").matchAll(/^heap-probe (\{.*\})$/gm)].map((match, i) => ({
      at: probesSentAt[i] ?? Number.POSITIVE_INFINITY,
      used: (JSON.parse(match[1]!) as { heapUsed: number }).heapUsed,
    }));
    const heapMeasured = heap.filter((sample) => sample.at >= WARMUP_MS).map((sample) => sample.used);
    const heapHalf = Math.floor(heapMeasured.length / 2);
    const heapBefore = percentile(heapMeasured.slice(0, heapHalf), 0.5);
    const heapAfter = percentile(heapMeasured.slice(heapHalf), 0.5);
    const figures = {
      duration_ms: elapsedMs,
      concurrency: { sdk_clients: SDK_CLIENTS, raw_clients: RAW_CLIENTS },
      tool_calls: calls,
      calls_per_second: Math.round((calls / elapsedMs) * 1000),
      outcomes: Object.fromEntries([...outcomes].sort(([a], [b]) => a.localeCompare(b))),
      http_statuses: Object.fromEntries(statuses),
      raw_sessions_opened_and_deleted: rawSessions,
      upstream_requests: upstream.count(),
      rss_mib: {
        start: Math.round((rss[0]?.kib ?? 0) / 1024),
        after_warmup: Math.round((measured[0]?.kib ?? 0) / 1024),
        first_half_median: Math.round(percentile(firstHalf, 0.5) / 1024),
        second_half_median: Math.round(percentile(secondHalf, 0.5) / 1024),
        first_half_floor: Math.round(percentile(firstHalf, 0.1) / 1024),
        second_half_floor: Math.round(percentile(secondHalf, 0.1) / 1024),
        last: Math.round((rss.at(-1)?.kib ?? 0) / 1024),
        max: Math.round(Math.max(...rss.map((sample) => sample.kib)) / 1024),
        samples: rss.length,
        // The lowest sample of every 5 s, so a trend can be read at a glance.
        floor_per_5s: floorsPer(rss, 5_000).map((kib) => Math.round(kib / 1024)),
      },
      heap_after_gc_mib: {
        series: heap.map((sample) => Math.round(sample.used / 1048576)),
        first_half_median: Math.round(heapBefore / 1048576),
        second_half_median: Math.round(heapAfter / 1048576),
      },
      server_counted_calls: servedCalls,
      imports_acknowledged: importsAcknowledged,
    };

    // SIGTERM after the load: a clean exit, then the data file is checked.
    server.child.kill("SIGTERM");
    const code = await Promise.race([server.exited(), delay(15_000, "hung", { ref: false })]);
    const db = new Database(path.join(dataDir, DATA_FILE_NAME), { readonly: true });
    const integrity = db.pragma("integrity_check", { simple: true });
    const soakItems = (
      db.prepare("SELECT count(*) AS n FROM items WHERE id LIKE 'soak-%'").get() as { n: number }
    ).n;
    db.close();
    console.log(
      `soak figures ${JSON.stringify({ ...figures, exit_code: code, soak_items_in_store: soakItems })}`,
    );

    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} calls failed at the transport`);
    assert.deepEqual(fiveHundreds.slice(0, 10), [], "no 5xx");
    assert.deepEqual(mismatches, [], "every call had the outcome its scenario must have");
    assert.ok(calls >= 200, `the load ran (${calls} calls)`);
    assert.equal(internalErrors, 0, "no internal_error under load");
    assert.equal(servedCalls, calls, "the server counted every call the clients made");
    assert.equal(activeSessions, SDK_CLIENTS, "raw sessions were ended; only the SDK clients' remain");
    assert.ok(firstHalf.length >= 5 && secondHalf.length >= 5, `enough RSS samples (${measured.length})`);
    // The floor (10th percentile) rises with a leak; the garbage collector's saw-tooth does not move it.
    const [floorBefore, floorAfter] = [percentile(firstHalf, 0.1), percentile(secondHalf, 0.1)];
    assert.ok(
      floorAfter - floorBefore <= Math.max(RSS_GROWTH_BOUND_KIB, floorBefore * 0.25),
      `RSS floor grew from ${floorBefore} KiB to ${floorAfter} KiB`,
    );
    assert.ok(heapMeasured.length >= 6, `enough heap probes (${heapMeasured.length})`);
    assert.ok(
      heapAfter - heapBefore <= HEAP_GROWTH_BOUND_BYTES,
      `live heap grew from ${heapBefore} to ${heapAfter} bytes`,
    );
    assert.equal(code, 0, "SIGTERM after the load exits 0");
    assert.equal(integrity, "ok");
    assert.equal(soakItems, importsAcknowledged, "every acknowledged import is in the store, nothing more");
  });
});
