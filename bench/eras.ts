import type { TargetCheck } from "./report.js";
import { cpuRatio, ratio } from "./report.js";
import { echo, expressEcho, getUserFound, prepareTarget, resilient, sdkV2 } from "./scenarios.js";
import type { ServerFleet } from "./servers.js";
import {
  measureAlternating,
  warmUp,
  type Contender,
  type ContenderResult,
  type Series,
} from "./throughput.js";

/**
 * The two protocol eras side by side at one concurrency: the product's 2025 session path and its
 * 2026-07-28 stateless path (one process, one shared server for every stateless request), SDK v2's
 * createMcpHandler in both eras (a server built per request), and the Express JSON floor.
 */

export const ERA_LABELS = {
  session: "resilient-mcp · 2025 session",
  stateless: "resilient-mcp · 2026 stateless",
  sdkV2Modern: "SDK v2 stateless handler · 2026",
  sdkV2Legacy: "SDK v2 stateless handler · 2025",
  floor: "Express echo",
} as const;

export interface EraSettings {
  readonly seconds: number;
  readonly rounds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
}

export async function measureEras(
  fleet: ServerFleet,
  settings: EraSettings,
  progress: (line: string) => void,
): Promise<Series> {
  const ours = await fleet.start(resilient);
  const reference = await fleet.start(sdkV2);
  const floor = await fleet.start(expressEcho);
  const usage = (server: typeof ours) => ({
    logBytes: () => server.logBytes(),
    cpuSeconds: () => server.cpuSeconds(),
  });
  const sessions = await prepareTarget(ours, settings.connections);
  const contenders: Contender[] = [
    { label: ERA_LABELS.session, target: sessions, call: getUserFound, ...usage(ours) },
    {
      label: ERA_LABELS.stateless,
      target: { label: ERA_LABELS.stateless, url: ours.url, sessions: [], era: "2026-07-28" },
      call: getUserFound,
      ...usage(ours),
    },
    {
      label: ERA_LABELS.sdkV2Modern,
      target: { label: ERA_LABELS.sdkV2Modern, url: reference.url, sessions: [], era: "2026-07-28" },
      call: echo,
      ...usage(reference),
    },
    {
      label: ERA_LABELS.sdkV2Legacy,
      target: { label: ERA_LABELS.sdkV2Legacy, url: reference.url, sessions: [] },
      call: echo,
      ...usage(reference),
    },
    {
      label: ERA_LABELS.floor,
      target: await prepareTarget(floor, settings.connections),
      call: echo,
      ...usage(floor),
    },
  ];
  progress(`eras: ${SERVERS(ours.pid, reference.pid, floor.pid)}; warming up`);
  await warmUp(contenders, settings.warmupSeconds, settings.connections);
  const series = await measureAlternating("eras", contenders, { ...settings, onRun: progress });
  for (const server of [ours, reference, floor]) await server.stop();
  return series;
}

const SERVERS = (ours: number, reference: number, floor: number) =>
  `resilient-mcp pid ${ours}, SDK v2 pid ${reference}, Express pid ${floor}`;

function find(series: Series, label: string): ContenderResult {
  const result = series.results.find((entry) => entry.label === label);
  if (result === undefined) throw new Error(`eras has no ${label}`);
  return result;
}

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : "–");

/** Every contender with its ratio to the product's 2026 path. */
export function erasTable(series: Series): string {
  const stateless = find(series, ERA_LABELS.stateless);
  const rows = series.results.map((result) => {
    const versus =
      result === stateless
        ? "—"
        : `${fixed(ratio(stateless, result).median)}× (by CPU/call ${fixed(cpuRatio(stateless, result))}×)`;
    return `| ${result.label} | ${result.tool} | ${fixed(result.rps, 0)} (${result.rpsPerRound.map((value) => fixed(value, 0)).join(", ")}) | ${fixed(result.p50Ms)} / ${fixed(result.p99Ms)} | ${fixed(result.cpuMsPerCall ?? Number.NaN, 3)} | ${versus} | ${String(result.failures)} |`;
  });
  return [
    "| path | tool | req/s (rounds) | p50 / p99 ms | CPU ms/call | 2026 path ÷ this, req/s | errors |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

/** The issue's targets for the stateless path, at the series' concurrency. */
export function eraTargets(series: Series): TargetCheck[] {
  const stateless = find(series, ERA_LABELS.stateless);
  const versus = (label: string) => {
    const other = find(series, label);
    return { median: ratio(stateless, other).median, cpu: cpuRatio(stateless, other) };
  };
  const session = versus(ERA_LABELS.session);
  const reference = versus(ERA_LABELS.sdkV2Modern);
  const floor = versus(ERA_LABELS.floor);
  const c = `c=${String(series.connections)}`;
  return [
    {
      target: `2026 stateless path ≥ 0.9× the 2025 session path (req/s, ${c})`,
      measured: `${fixed(session.median)}× (by CPU/call ${fixed(session.cpu)}×)`,
      met: session.median >= 0.9,
    },
    {
      target: `2026 stateless path against SDK v2's stateless handler (reported, ${c})`,
      measured: `${fixed(reference.median)}× (by CPU/call ${fixed(reference.cpu)}×)`,
      met: true,
    },
    {
      target: `stretch: 2026 path with the error service ≥ 0.6× the Express JSON floor (${c})`,
      measured: `${fixed(floor.median)}× (by CPU/call ${fixed(floor.cpu)}×)`,
      met: floor.median >= 0.6,
    },
  ];
}
