import { percentile, runLoad, type LoadTarget, type ToolCall } from "./mcp-load.js";

/** One thing measured in a series: a prepared target and the call it answers. */
export interface Contender {
  readonly label: string;
  readonly target: LoadTarget;
  readonly call: ToolCall;
  /** Size of the server's log file, to report log bytes per call. */
  readonly logBytes?: () => number;
  /** The server's CPU time so far, to report CPU per call (robust to a busy machine). */
  readonly cpuSeconds?: () => number;
}

export interface ContenderResult {
  readonly label: string;
  readonly tool: string;
  /** Good responses per second, one value per round. */
  readonly rpsPerRound: number[];
  /** Mean of the rounds. */
  readonly rps: number;
  /** Latencies pooled over the rounds. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly responses: number;
  readonly failures: number;
  readonly logBytesPerCall?: number;
  /** Server CPU (user + system, all threads) per good response, over every round. */
  readonly cpuMsPerCall?: number;
}

/** Contenders measured in alternation (A B C A B C …) at one concurrency. */
export interface Series {
  readonly name: string;
  readonly connections: number;
  readonly seconds: number;
  readonly rounds: number;
  readonly results: ContenderResult[];
}

export interface SeriesOptions {
  readonly connections: number;
  readonly rounds: number;
  readonly seconds: number;
  /** Called after every run, for progress output. */
  readonly onRun?: (line: string) => void;
}

/** Unmeasured load so that every contender's code is compiled and its caches are warm. */
export async function warmUp(contenders: readonly Contender[], seconds: number, connections: number) {
  for (const contender of contenders) {
    await runLoad(contender.target, contender.call, { connections, seconds });
  }
}

/**
 * Runs each contender for `seconds`, in turn, `rounds` times, so that noise from a shared machine
 * falls on all of them alike; ratios are taken between contenders of the same series.
 */
export async function measureAlternating(
  name: string,
  contenders: readonly Contender[],
  options: SeriesOptions,
): Promise<Series> {
  const runs = contenders.map(() => ({
    rps: [] as number[],
    latencies: [] as Float64Array[],
    responses: 0,
    failures: 0,
    logBytes: 0,
    cpuSeconds: 0,
  }));
  for (let round = 1; round <= options.rounds; round += 1) {
    for (const [index, contender] of contenders.entries()) {
      const acc = runs[index]!;
      // Requests the previous run left in flight finish before this one starts.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const logBefore = contender.logBytes?.() ?? 0;
      const cpuBefore = contender.cpuSeconds?.() ?? 0;
      const run = await runLoad(contender.target, contender.call, {
        connections: options.connections,
        seconds: options.seconds,
      });
      acc.cpuSeconds += (contender.cpuSeconds?.() ?? 0) - cpuBefore;
      acc.logBytes += (contender.logBytes?.() ?? 0) - logBefore;
      acc.rps.push(run.rps);
      acc.latencies.push(run.latenciesMs);
      acc.responses += run.responses;
      acc.failures += run.failures;
      options.onRun?.(
        `${name} c=${options.connections} round ${round}: ${contender.label} ${run.rps.toFixed(0)} req/s` +
          (run.failures > 0 ? `, ${run.failures} failures` : ""),
      );
    }
  }
  const results = contenders.map((contender, index): ContenderResult => {
    const acc = runs[index]!;
    const pooled = concat(acc.latencies);
    return {
      label: contender.label,
      tool: contender.call.name,
      rpsPerRound: acc.rps,
      rps: acc.rps.reduce((sum, value) => sum + value, 0) / acc.rps.length,
      p50Ms: percentile(pooled, 50),
      p99Ms: percentile(pooled, 99),
      responses: acc.responses,
      failures: acc.failures,
      ...(contender.logBytes === undefined || acc.responses === 0
        ? {}
        : { logBytesPerCall: acc.logBytes / acc.responses }),
      ...(contender.cpuSeconds === undefined || acc.responses === 0
        ? {}
        : { cpuMsPerCall: (acc.cpuSeconds * 1000) / acc.responses }),
    };
  });
  return {
    name,
    connections: options.connections,
    seconds: options.seconds,
    rounds: options.rounds,
    results,
  };
}

function concat(parts: readonly Float64Array[]): Float64Array {
  const all = new Float64Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}
