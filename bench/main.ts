import { readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { measureAuthentication } from "./auth.js";
import { renderSummary, SUBJECT, checkTargets, writeResults, type BenchResults } from "./report.js";
import {
  MODES,
  bareSdk,
  everything,
  expressEcho,
  getUserFound,
  getUserInvalid,
  getUserMissing,
  prepareTarget,
  resilient,
  successCallFor,
} from "./scenarios.js";
import { eraTargets, erasTable, measureEras } from "./eras.js";
import { ServerFleet, type RunningServer, type ServerSpec } from "./servers.js";
import { measureChurn, measureIdleSessions } from "./sessions.js";
import { measureAlternating, warmUp, type Contender } from "./throughput.js";

/**
 * `npm run bench`: every scenario in one run, on loopback only, each bounded in time, then a
 * summary on stdout and bench/results/latest.json. Progress goes to stderr.
 */
const number = (name: string, fallback: number) => Number(process.env[name] ?? String(fallback));
const settings = {
  seconds: number("BENCH_SECONDS", 1.5),
  rounds: number("BENCH_ROUNDS", 6),
  warmupSeconds: number("BENCH_WARMUP_SECONDS", 1),
  sessions: number("BENCH_SESSIONS", 10_000),
  referenceSessions: number("BENCH_REFERENCE_SESSIONS", 1000),
  churnSeconds: number("BENCH_CHURN_SECONDS", 12),
  churnIdleTimeoutMs: 4000,
  modeConnections: 10,
  failureConnections: 10,
};
const CONCURRENCIES = [1, 10, 50];
const resultsFile = fileURLToPath(new URL("results/latest.json", import.meta.url));
const startedAt = new Date();
const progress = (line: string) => {
  const seconds = ((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[${seconds} s] ${line}\n`);
};

const fleet = new ServerFleet();
const interrupt = (signal: NodeJS.Signals) => {
  fleet.killAll();
  process.stderr.write(`bench: ${signal}, stopped every server it started\n`);
  process.exit(130);
};
process.once("SIGINT", interrupt);
process.once("SIGTERM", interrupt);
process.once("exit", () => {
  fleet.killAll();
});

async function contenderFor(server: RunningServer, label: string, connections: number): Promise<Contender> {
  return {
    label,
    target: await prepareTarget(server, connections),
    call: successCallFor(server.spec),
    logBytes: () => server.logBytes(),
    cpuSeconds: () => server.cpuSeconds(),
  };
}

async function compareServers() {
  const maxConnections = Math.max(...CONCURRENCIES);
  const servers: RunningServer[] = [];
  for (const spec of [resilient, bareSdk, everything, expressEcho]) servers.push(await fleet.start(spec));
  const contenders = await Promise.all(
    servers.map((server) => contenderFor(server, server.spec.label, maxConnections)),
  );
  progress(`comparison: ${servers.map((s) => `${s.spec.label} pid ${s.pid}`).join(", ")}; warming up`);
  await warmUp(contenders, settings.warmupSeconds, 10);
  const comparison = [];
  for (const connections of CONCURRENCIES) {
    comparison.push(
      await measureAlternating("tools/call", contenders, { ...settings, connections, onRun: progress }),
    );
  }

  const ours = contenders[0]!;
  const paths: Contender[] = [
    { ...ours, label: 'get_user "1" (success)', call: getUserFound },
    { ...ours, label: 'get_user "abc" (validation_error)', call: getUserInvalid },
    { ...ours, label: 'get_user "999" (not_found)', call: getUserMissing },
  ];
  await warmUp(paths, 1, settings.failureConnections);
  const failurePaths = await measureAlternating("failure paths", paths, {
    ...settings,
    connections: settings.failureConnections,
    onRun: progress,
  });
  for (const server of servers.slice(2)) await server.stop();
  return {
    comparison,
    failurePaths,
    stateful: servers.slice(0, 2),
    statefulContenders: contenders.slice(0, 2),
  };
}

async function compareModes(stateful: RunningServer[], statefulContenders: Contender[]) {
  const [first] = MODES;
  const contenders = statefulContenders.map((contender) => ({
    ...contender,
    label: `${contender.label} · ${first.name}`,
  }));
  const fresh: Contender[] = [];
  for (const mode of MODES.slice(1)) {
    for (const base of [resilient, bareSdk]) {
      const spec: ServerSpec = { ...base, label: `${base.label} · ${mode.name}`, env: mode.env };
      const server = await fleet.start(spec);
      fresh.push(await contenderFor(server, spec.label, settings.modeConnections));
    }
  }
  progress("modes: warming up");
  await warmUp(fresh, settings.warmupSeconds, settings.modeConnections);
  const modes = await measureAlternating("modes", [...contenders, ...fresh], {
    ...settings,
    connections: settings.modeConnections,
    onRun: progress,
  });
  for (const server of stateful) await server.stop();
  await fleet.stopAll();
  return modes;
}

async function measureSessions() {
  const idleSessions = [];
  const sessionEnv = { MAX_SESSIONS: String(settings.sessions + 1000), SESSION_IDLE_TIMEOUT_MS: "3600000" };
  for (const [spec, count] of [
    [{ ...resilient, env: sessionEnv }, settings.sessions],
    [bareSdk, settings.referenceSessions],
    [everything, settings.referenceSessions],
  ] as const) {
    const server = await fleet.start({ ...spec, memoryProbe: true });
    progress(`idle sessions: ${count} on ${spec.label} (pid ${server.pid})`);
    idleSessions.push(await measureIdleSessions(server, count, 16));
    await server.stop();
  }
  const churnServer = await fleet.start({
    ...resilient,
    memoryProbe: true,
    env: { MAX_SESSIONS: "100000", SESSION_IDLE_TIMEOUT_MS: String(settings.churnIdleTimeoutMs) },
  });
  progress(`churn: ${settings.churnSeconds} s on ${SUBJECT} (pid ${churnServer.pid})`);
  const churn = await measureChurn(churnServer, {
    seconds: settings.churnSeconds,
    concurrency: 16,
    idleTimeoutMs: settings.churnIdleTimeoutMs,
    sampleEverySeconds: 2,
  });
  await churnServer.stop();
  return { idleSessions, churn };
}

function versionOf(packageJson: string): string {
  const path = fileURLToPath(new URL(packageJson, import.meta.url));
  return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
}

function machine(loadAtStart: number[]) {
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    kernel: release(),
    node: process.version,
    loadAverageAtStart: loadAtStart.map((value) => value.toFixed(2)).join(" "),
    loadAverageAtEnd: loadavg()
      .map((value) => value.toFixed(2))
      .join(" "),
  };
}

try {
  const loadAtStart = loadavg();
  const { comparison, failurePaths, stateful, statefulContenders } = await compareServers();
  const modes = await compareModes(stateful, statefulContenders);
  progress("authentication: no credentials, API key, JWT");
  const authentication = await measureAuthentication(fleet, {
    ...settings,
    connections: settings.modeConnections,
    onRun: progress,
  });
  progress("eras: the 2025 session path, the 2026 stateless path, SDK v2's handler");
  const eras = await measureEras(fleet, { ...settings, connections: settings.modeConnections }, progress);
  const { idleSessions, churn } = await measureSessions();
  const measured = { comparison, failurePaths, modes, idleSessions, churn, authentication, eras };
  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: machine(loadAtStart),
    versions: {
      "@modelcontextprotocol/sdk": versionOf("../node_modules/@modelcontextprotocol/sdk/package.json"),
      express: versionOf("../node_modules/express/package.json"),
      "@modelcontextprotocol/server-everything": versionOf(
        "node_modules/@modelcontextprotocol/server-everything/package.json",
      ),
      "server-everything's @modelcontextprotocol/sdk": versionOf(
        "node_modules/@modelcontextprotocol/sdk/package.json",
      ),
      autocannon: versionOf("node_modules/autocannon/package.json"),
      "@modelcontextprotocol/server (bench reference)": versionOf(
        "node_modules/@modelcontextprotocol/server/package.json",
      ),
    },
    settings,
    ...measured,
    targets: [...checkTargets(measured), ...eraTargets(eras)],
  };
  await writeResults(resultsFile, results);
  const erasSection = `## Protocol eras (${eras.connections} connections)\n\n${erasTable(eras)}`;
  process.stdout.write(`${renderSummary(results)}\n\n${erasSection}\n\nResults: ${resultsFile}\n`);
} finally {
  await fleet.close();
}
