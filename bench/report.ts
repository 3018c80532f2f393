import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { format, resolveConfig } from "prettier";
import type { IdleSessionMemory, SessionChurn } from "./sessions.js";
import type { ContenderResult, Series } from "./throughput.js";

/** Everything one `npm run bench` measured, as written to bench/results/latest.json. */
export interface BenchResults {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: Readonly<Record<string, string | number>>;
  readonly versions: Readonly<Record<string, string>>;
  readonly settings: Readonly<Record<string, number>>;
  readonly comparison: readonly Series[];
  readonly failurePaths: Series;
  readonly modes: Series;
  readonly idleSessions: readonly IdleSessionMemory[];
  readonly churn: SessionChurn;
  /** The 2025 session path, the 2026 stateless path and SDK v2's handler at one concurrency. */
  readonly eras?: Series;
  /** The authenticated paths against the unauthenticated one (bench/auth.ts). */
  readonly authentication?: Series;
  readonly targets: readonly TargetCheck[];
}

/** One target of the issue, what was measured against it, and whether it holds. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

/** The product's label in every series; ratios are the product's figure over the other's. */
export const SUBJECT = "resilient-mcp";

const KB = 1024;
const MB = 1024 * 1024;
const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const ms = (value: number) => fixed(value, value >= 10 ? 1 : 2);

function find(series: Series, label: string): ContenderResult {
  const result = series.results.find((entry) => entry.label === label);
  if (result === undefined) throw new Error(`${series.name} has no ${label}`);
  return result;
}

/**
 * Throughput ratio a ÷ b: the median of the per-round ratios (a round's runs are adjacent in time,
 * so they share the machine's noise), with the range of the per-round ratios.
 */
export function ratio(a: ContenderResult, b: ContenderResult): { median: number; min: number; max: number } {
  const perRound = a.rpsPerRound
    .map((value, index) => value / (b.rpsPerRound[index] ?? Number.NaN))
    .sort((x, y) => x - y);
  const middle = Math.floor(perRound.length / 2);
  const median =
    perRound.length % 2 === 1
      ? (perRound[middle] ?? Number.NaN)
      : ((perRound[middle - 1] ?? Number.NaN) + (perRound[middle] ?? Number.NaN)) / 2;
  return { median, min: perRound[0] ?? Number.NaN, max: perRound.at(-1) ?? Number.NaN };
}

/** CPU-efficiency ratio a ÷ b: b's server CPU per call over a's (what a saturated core would give). */
export function cpuRatio(a: ContenderResult, b: ContenderResult): number {
  return (b.cpuMsPerCall ?? Number.NaN) / (a.cpuMsPerCall ?? Number.NaN);
}

const cpuText = (result: ContenderResult) => fixed(result.cpuMsPerCall ?? Number.NaN, 3);

function ratioText(a: ContenderResult, b: ContenderResult): string {
  const { median, min, max } = ratio(a, b);
  return `${fixed(median)}× (${fixed(min)}–${fixed(max)})`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function rpsText(result: ContenderResult): string {
  return `${fixed(result.rps, 0)} (${result.rpsPerRound.map((value) => fixed(value, 0)).join(", ")})`;
}

/** tools/call throughput and latency per server and concurrency, with the product's ratio to each. */
export function comparisonTable(comparison: readonly Series[]): string {
  const rows = comparison.flatMap((series) => {
    const subject = find(series, SUBJECT);
    return series.results.map((result) => [
      String(series.connections),
      result.label,
      result.tool,
      rpsText(result),
      ms(result.p50Ms),
      ms(result.p99Ms),
      String(result.failures),
      cpuText(result),
      result === subject ? "—" : ratioText(subject, result),
      result === subject ? "—" : `${fixed(cpuRatio(subject, result))}×`,
    ]);
  });
  return table(
    [
      "conc.",
      "server",
      "tool",
      "req/s: mean (rounds)",
      "p50 ms",
      "p99 ms",
      "errors",
      "server CPU ms/call",
      `${SUBJECT} ÷ this, req/s: median (range)`,
      `${SUBJECT} ÷ this, by CPU/call`,
    ],
    rows,
  );
}

/** Failure paths next to the success path, measured in alternation on the same server. */
export function failurePathTable(series: Series): string {
  const success = series.results[0];
  if (success === undefined) return "";
  return table(
    [
      "call",
      "req/s: mean (rounds)",
      "p50 ms",
      "p99 ms",
      "errors",
      "log bytes/call",
      "server CPU ms/call",
      "÷ success, req/s",
      "÷ success, by CPU/call",
      "p50 ÷ success",
    ],
    series.results.map((result) => [
      result.label,
      rpsText(result),
      ms(result.p50Ms),
      ms(result.p99Ms),
      String(result.failures),
      fixed(result.logBytesPerCall ?? Number.NaN, 0),
      cpuText(result),
      result === success ? "—" : ratioText(result, success),
      result === success ? "—" : `${fixed(cpuRatio(result, success))}×`,
      result === success ? "—" : `${fixed(result.p50Ms / success.p50Ms)}×`,
    ]),
  );
}

/** Transport modes: the product and the bare SDK server in each, with their ratio. */
export function modesTable(series: Series): string {
  const modes = [...new Set(series.results.map((result) => result.label.split(" · ")[1] ?? ""))];
  return table(
    [
      "mode",
      `${SUBJECT} req/s`,
      "p50 / p99 ms",
      "CPU ms/call",
      "bare SDK req/s",
      "p50 / p99 ms",
      "CPU ms/call",
      `${SUBJECT} ÷ bare, req/s`,
      "by CPU/call",
      "errors",
    ],
    modes.map((mode) => {
      const ours = find(series, `${SUBJECT} · ${mode}`);
      const bare = find(series, `bare SDK · ${mode}`);
      return [
        mode,
        rpsText(ours),
        `${ms(ours.p50Ms)} / ${ms(ours.p99Ms)}`,
        cpuText(ours),
        rpsText(bare),
        `${ms(bare.p50Ms)} / ${ms(bare.p99Ms)}`,
        cpuText(bare),
        ratioText(ours, bare),
        `${fixed(cpuRatio(ours, bare))}×`,
        String(ours.failures + bare.failures),
      ];
    }),
  );
}

/** Memory per idle session and what is left once the sessions are deleted. */
export function idleSessionTable(idle: readonly IdleSessionMemory[]): string {
  return table(
    [
      "server",
      "sessions",
      "opened/s",
      "heap/session KB",
      "RSS/session KB",
      "heap: baseline → open → deleted MB",
      "RSS: baseline → open → deleted MB",
    ],
    idle.map((entry) => [
      entry.label,
      String(entry.sessions),
      fixed(entry.openPerSecond, 0),
      fixed(entry.heapPerSessionBytes / KB, 1),
      fixed(entry.rssPerSessionBytes / KB, 1),
      [entry.baseline, entry.open, entry.afterDelete].map((m) => fixed(m.heapUsedBytes / MB, 1)).join(" → "),
      [entry.baseline, entry.open, entry.afterDelete].map((m) => fixed(m.rssBytes / MB, 1)).join(" → "),
    ]),
  );
}

/** Heap and RSS sampled while sessions are opened and expired, then after the last one expired. */
export function churnTable(churn: SessionChurn): string {
  const rows = [
    ["baseline", "0", fixed(churn.baseline.heapUsedBytes / MB, 1), fixed(churn.baseline.rssBytes / MB, 1)],
    ...churn.samples.map((sample) => [
      `${fixed(sample.atSeconds, 1)} s`,
      String(sample.activeSessions),
      fixed(sample.heapUsedBytes / MB, 1),
      fixed(sample.rssBytes / MB, 1),
    ]),
    [
      "all expired",
      "0",
      fixed(churn.afterExpiry.heapUsedBytes / MB, 1),
      fixed(churn.afterExpiry.rssBytes / MB, 1),
    ],
  ];
  return table(["when", "active sessions", "heap MB", "RSS MB"], rows);
}

export function targetTable(targets: readonly TargetCheck[]): string {
  return table(
    ["target", "measured", "met?"],
    targets.map((check) => [check.target, check.measured, check.met ? "yes" : "**no**"]),
  );
}

/** Each authenticated path next to the unauthenticated one (the first result). */
export function authenticationTable(series: Series): string {
  const baseline = series.results[0];
  if (baseline === undefined) return "";
  return table(
    [
      "credentials",
      "req/s: mean (rounds)",
      "p50 ms",
      "p99 ms",
      "errors",
      "server CPU ms/call",
      "÷ none, req/s: median (range)",
      "÷ none, by CPU/call",
    ],
    series.results.map((result) => [
      result.label,
      rpsText(result),
      ms(result.p50Ms),
      ms(result.p99Ms),
      String(result.failures),
      cpuText(result),
      result === baseline ? "—" : ratioText(result, baseline),
      result === baseline ? "—" : `${fixed(cpuRatio(result, baseline))}×`,
    ]),
  );
}

/** The cost of authentication: ≥ 0.95× the unauthenticated throughput with an API key, ≥ 0.9× with a JWT. */
export function authenticationTargets(series: Series | undefined): TargetCheck[] {
  const [baseline, apiKey, jwt] = series?.results ?? [];
  if (series === undefined || baseline === undefined) return [];
  return (
    [
      [apiKey, 0.95],
      [jwt, 0.9],
    ] as const
  ).flatMap(([result, floor]) => {
    if (result === undefined) return [];
    const { median, min, max } = ratio(result, baseline);
    return [
      {
        target: `${result.label}: ≥ ${fixed(floor)}× the unauthenticated throughput at c=${series.connections}`,
        measured: `${fixed(median)}× (${fixed(min)}–${fixed(max)}), by CPU/call ${fixed(cpuRatio(result, baseline))}×`,
        met: median >= floor,
      },
    ];
  });
}

/** The targets of the issue, checked against what this run measured. */
export function checkTargets(
  results: Omit<BenchResults, "targets" | "finishedAt" | "startedAt" | "machine" | "versions" | "settings">,
): TargetCheck[] {
  const against = (label: string, floor: number, name: string): TargetCheck => {
    const ratios = results.comparison.map((series) => ({
      connections: series.connections,
      value: ratio(find(series, SUBJECT), find(series, label)).median,
      cpu: cpuRatio(find(series, SUBJECT), find(series, label)),
    }));
    return {
      target: `${name}: ≥ ${fixed(floor, 1)}× ${label} (req/s, each concurrency)`,
      measured: ratios
        .map((entry) => `c=${entry.connections}: ${fixed(entry.value)}× (by CPU/call ${fixed(entry.cpu)}×)`)
        .join(", "),
      met: ratios.every((entry) => entry.value >= floor),
    };
  };
  const allSeries = [...results.comparison, results.failurePaths, results.modes];
  const failures = allSeries.flatMap((series) => series.results).reduce((sum, r) => sum + r.failures, 0);
  const [success, ...failurePaths] = results.failurePaths.results;
  const failureChecks =
    success === undefined
      ? []
      : failurePaths.map((path): TargetCheck => {
          const { median } = ratio(path, success);
          return {
            target: `failure path ${path.label} within 10% of the success path (req/s ≥ 0.9×)`,
            measured: `${fixed(median)}× req/s (by CPU/call ${fixed(cpuRatio(path, success))}×), ${fixed(path.p50Ms / success.p50Ms)}× p50`,
            met: median >= 0.9,
          };
        });
  const ours = results.idleSessions.find((entry) => entry.label === SUBJECT);
  const sessionChecks: TargetCheck[] =
    ours === undefined
      ? []
      : [
          {
            target: "under 50 KB per idle session (heap after GC)",
            measured: `${fixed(ours.heapPerSessionBytes / KB, 1)} KB heap (${fixed(ours.rssPerSessionBytes / KB, 1)} KB RSS) over ${ours.sessions} sessions`,
            met: ours.heapPerSessionBytes < 50 * KB,
          },
          {
            target:
              "back to baseline after the sessions are deleted (heap within 2 MB or 2% of what they took)",
            measured: `${fixed(ours.heapLeftAfterDeleteBytes / MB, 2)} MB left of ${fixed((ours.open.heapUsedBytes - ours.baseline.heapUsedBytes) / MB, 1)} MB`,
            met:
              ours.heapLeftAfterDeleteBytes <
              Math.max(2 * MB, 0.02 * (ours.open.heapUsedBytes - ours.baseline.heapUsedBytes)),
          },
        ];
  const churn = results.churn;
  const plateau = churn.samples.filter((sample) => sample.atSeconds > (churn.idleTimeoutMs * 1.5) / 1000);
  const heaps = plateau.map((sample) => sample.heapUsedBytes);
  const churnChecks: TargetCheck[] = [
    {
      target: "flat memory under churn (heap once sessions expire as fast as they open)",
      measured:
        heaps.length === 0
          ? "no sample past the first expiries"
          : `heap ${fixed(Math.min(...heaps) / MB, 1)}–${fixed(Math.max(...heaps) / MB, 1)} MB with ${plateau.map((s) => s.activeSessions).join("/")} active`,
      met: heaps.length > 0 && Math.max(...heaps) - Math.min(...heaps) < 0.25 * Math.max(...heaps),
    },
    {
      target: "back to baseline after the sessions expire (heap within 2 MB)",
      measured: `${fixed(churn.heapLeftAfterExpiryBytes / MB, 2)} MB left after ${churn.expired} expired`,
      met: churn.heapLeftAfterExpiryBytes < 2 * MB,
    },
  ];
  return [
    ...authenticationTargets(results.authentication),
    against("server-everything", 1.0, "throughput"),
    against("bare SDK", 0.9, "throughput"),
    {
      target: "zero errors (connection errors, timeouts, non-2xx, unexpected bodies)",
      measured: `${failures} in ${allSeries.reduce((sum, s) => sum + s.results.reduce((n, r) => n + r.responses, 0), 0)} responses`,
      met: failures === 0,
    },
    ...failureChecks,
    ...sessionChecks,
    ...churnChecks,
    against("Express echo", 0.5, "stretch"),
  ];
}

/** The whole summary, as Markdown tables (readable in a terminal, pasted into docs/benchmarks.md). */
export function renderSummary(results: BenchResults): string {
  const seconds = results.settings.seconds ?? 0;
  const rounds = results.settings.rounds ?? 0;
  return [
    `## tools/call over Streamable HTTP (${rounds} alternating rounds × ${seconds} s per server and concurrency)`,
    comparisonTable(results.comparison),
    `## Failure paths (get_user on ${SUBJECT}, ${results.failurePaths.connections} connections)`,
    failurePathTable(results.failurePaths),
    `## Transport modes (${results.modes.connections} connections)`,
    modesTable(results.modes),
    "## Idle sessions",
    idleSessionTable(results.idleSessions),
    `## Churn (SESSION_IDLE_TIMEOUT_MS=${results.churn.idleTimeoutMs}: ${results.churn.opened} sessions opened in ${fixed(results.churn.seconds, 1)} s, ${results.churn.expired} expired)`,
    churnTable(results.churn),
    ...(results.authentication === undefined
      ? []
      : [
          `## Authentication (get_user, ${results.authentication.connections} connections)`,
          authenticationTable(results.authentication),
        ]),
    "## Targets",
    targetTable(results.targets),
  ].join("\n\n");
}

/** Writes the results as JSON formatted the way the repository's Prettier check expects. */
export async function writeResults(file: string, results: BenchResults): Promise<void> {
  const options = (await resolveConfig(file)) ?? {};
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, await format(JSON.stringify(results), { ...options, parser: "json" }));
}
