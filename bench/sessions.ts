import { Agent, get } from "node:http";
import { inParallel } from "./in-parallel.js";
import { deleteSession, openSession } from "./mcp-http.js";
import type { MemorySample, RunningServer } from "./servers.js";

/** Idle sessions opened, measured, then deleted, on one server started with `memoryProbe`. */
export interface IdleSessionMemory {
  readonly label: string;
  readonly sessions: number;
  readonly openPerSecond: number;
  readonly deletePerSecond: number;
  readonly baseline: MemorySample;
  readonly open: MemorySample;
  readonly afterDelete: MemorySample;
  readonly heapPerSessionBytes: number;
  readonly rssPerSessionBytes: number;
  /** Heap still held after every session was deleted, compared with the baseline. */
  readonly heapLeftAfterDeleteBytes: number;
}

/** Sessions opened without pause on a server whose idle timeout expires them, then left to expire. */
export interface SessionChurn {
  readonly label: string;
  readonly idleTimeoutMs: number;
  readonly seconds: number;
  readonly opened: number;
  readonly openPerSecond: number;
  readonly samples: readonly {
    readonly atSeconds: number;
    readonly activeSessions: number;
    readonly heapUsedBytes: number;
    readonly rssBytes: number;
  }[];
  readonly baseline: MemorySample;
  readonly afterExpiry: MemorySample;
  readonly expired: number;
  readonly heapLeftAfterExpiryBytes: number;
}

const WARM_UP_SESSIONS = 200;

/** Opens and deletes a few sessions so that lazily built code and caches are not counted per session. */
async function warmUp(server: RunningServer, agent: Agent): Promise<void> {
  const ids: string[] = [];
  await inParallel(WARM_UP_SESSIONS, 8, async (index) => {
    ids[index] = await openSession(server.url, agent);
  });
  await inParallel(WARM_UP_SESSIONS, 8, async (index) => {
    await deleteSession(server.url, ids[index]!, agent);
  });
}

/**
 * Memory per idle session: baseline, `count` sessions opened by raw initialize +
 * notifications/initialized, then all DELETEd. Heap is measured after forced GC inside the
 * server; RSS from /proc.
 */
export async function measureIdleSessions(
  server: RunningServer,
  count: number,
  concurrency: number,
): Promise<IdleSessionMemory> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    await warmUp(server, agent);
    const baseline = await server.memory();
    const ids: string[] = [];
    let started = performance.now();
    await inParallel(count, concurrency, async (index) => {
      ids[index] = await openSession(server.url, agent);
    });
    const openSeconds = (performance.now() - started) / 1000;
    const open = await server.memory();
    started = performance.now();
    await inParallel(count, concurrency, async (index) => {
      const status = await deleteSession(server.url, ids[index]!, agent);
      if (status !== 200) throw new Error(`DELETE of a session answered HTTP ${status}`);
    });
    const deleteSeconds = (performance.now() - started) / 1000;
    const afterDelete = await server.memory();
    return {
      label: server.spec.label,
      sessions: count,
      openPerSecond: count / openSeconds,
      deletePerSecond: count / deleteSeconds,
      baseline,
      open,
      afterDelete,
      heapPerSessionBytes: (open.heapUsedBytes - baseline.heapUsedBytes) / count,
      rssPerSessionBytes: (open.rssBytes - baseline.rssBytes) / count,
      heapLeftAfterDeleteBytes: afterDelete.heapUsedBytes - baseline.heapUsedBytes,
    };
  } finally {
    agent.destroy();
  }
}

/** A value of the product's /metrics (a gauge or counter without labels). */
async function metric(server: RunningServer, name: string): Promise<number> {
  const text = await new Promise<string>((resolve, reject) => {
    get(new URL("/metrics", server.url), (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => {
        resolve(body);
      });
      res.on("error", reject);
    }).on("error", reject);
  });
  const match = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
  if (match?.[1] === undefined) throw new Error(`/metrics has no ${name}`);
  return Number(match[1]);
}

/**
 * Churn on the product (stateful, short SESSION_IDLE_TIMEOUT_MS): sessions are opened for
 * `seconds` while the idle sweep expires the older ones; memory is sampled as it goes, then the
 * run waits for every session to expire and compares memory with the baseline.
 */
export async function measureChurn(
  server: RunningServer,
  options: { seconds: number; concurrency: number; idleTimeoutMs: number; sampleEverySeconds: number },
): Promise<SessionChurn> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  try {
    await warmUp(server, agent);
    const baseline = await server.memory();
    const expiredBefore = await metric(server, "mcp_sessions_expired_total");
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    let opened = 0;
    const opener = Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        // Samples only while sessions are being opened: the plateau is what "flat under churn" means.
        while (elapsed() + options.sampleEverySeconds <= options.seconds + 0.5) {
          await openSession(server.url, agent);
          opened += 1;
        }
      }),
    );
    const samples: SessionChurn["samples"][number][] = [];
    // Samples only while sessions are being opened: the plateau is what "flat under churn" means.
    while (elapsed() + options.sampleEverySeconds <= options.seconds + 0.5) {
      await new Promise((resolve) => setTimeout(resolve, options.sampleEverySeconds * 1000));
      const activeSessions = await metric(server, "mcp_sessions_active");
      const sample = await server.memory();
      samples.push({
        atSeconds: elapsed(),
        activeSessions,
        heapUsedBytes: sample.heapUsedBytes,
        rssBytes: sample.rssBytes,
      });
    }
    await opener;
    const openSeconds = elapsed();
    const waitUntil = performance.now() + options.idleTimeoutMs * 2 + 10_000;
    while ((await metric(server, "mcp_sessions_active")) > 0) {
      if (performance.now() > waitUntil) throw new Error("sessions did not expire in time");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const afterExpiry = await server.memory();
    return {
      label: server.spec.label,
      idleTimeoutMs: options.idleTimeoutMs,
      seconds: openSeconds,
      opened,
      openPerSecond: opened / openSeconds,
      samples,
      baseline,
      afterExpiry,
      expired: (await metric(server, "mcp_sessions_expired_total")) - expiredBefore,
      heapLeftAfterExpiryBytes: afterExpiry.heapUsedBytes - baseline.heapUsedBytes,
    };
  } finally {
    agent.destroy();
  }
}
