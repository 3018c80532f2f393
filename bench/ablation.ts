import { ratio } from "./report.js";
import { bareSdk, echo, getUserFound, prepareTarget, resilient } from "./scenarios.js";
import { ServerFleet, type ServerSpec } from "./servers.js";
import { measureAlternating, warmUp, type Contender } from "./throughput.js";
import type { ToolCall } from "./mcp-load.js";

/**
 * What each part of the product's stack costs, with nothing but its configuration: the full
 * stack, then with info logs off, streaming every POST as the SDK's transport does (with and
 * without the event store's priming event), and without the tool runner (a conformance fixture
 * tool), against the bare SDK server, alternated like `npm run bench`. Not part of
 * `npm run bench`; run it by hand:
 *   node --import tsx bench/ablation.ts [seconds] [rounds] [connections]
 */
const seconds = Number(process.argv[2] ?? "5");
const rounds = Number(process.argv[3] ?? "2");
const connections = Number(process.argv[4] ?? "10");

const simpleText: ToolCall = { name: "test_simple_text", arguments: {}, expect: "simple text response" };
const variants: readonly { spec: ServerSpec; call: ToolCall }[] = [
  { spec: { ...resilient, label: "full stack, get_user" }, call: getUserFound },
  {
    spec: { ...resilient, label: "LOG_LEVEL=warn, get_user", env: { LOG_LEVEL: "warn" } },
    call: getUserFound,
  },
  {
    spec: {
      ...resilient,
      label: "MCP_STREAM_AFTER_MS=0 (always SSE), get_user",
      env: { MCP_STREAM_AFTER_MS: "0" },
    },
    call: getUserFound,
  },
  {
    spec: {
      ...resilient,
      label: "always SSE, no event store, get_user",
      env: { MCP_STREAM_AFTER_MS: "0", SSE_EVENT_HISTORY: "0" },
    },
    call: getUserFound,
  },
  {
    spec: {
      ...resilient,
      label: "LOG_LEVEL=warn, fixture tool (no tool runner)",
      env: { LOG_LEVEL: "warn", MCP_CONFORMANCE_FIXTURES: "true" },
    },
    call: simpleText,
  },
  { spec: bareSdk, call: echo },
];

const fleet = new ServerFleet();
try {
  const contenders: Contender[] = [];
  for (const { spec, call } of variants) {
    const server = await fleet.start(spec);
    contenders.push({
      label: spec.label,
      target: await prepareTarget(server, connections),
      call,
      cpuSeconds: () => server.cpuSeconds(),
    });
  }
  await warmUp(contenders, 2, connections);
  const series = await measureAlternating("ablation", contenders, {
    connections,
    rounds,
    seconds,
    onRun: (line) => process.stderr.write(`${line}\n`),
  });
  const full = series.results[0]!;
  const bare = series.results.at(-1)!;
  console.log(
    `| variant (c=${connections}) | req/s | p50 ms | CPU ms/call | req/s ÷ full stack | req/s ÷ bare SDK |`,
  );
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const result of series.results) {
    console.log(
      `| ${result.label} | ${result.rps.toFixed(0)} | ${result.p50Ms.toFixed(2)} | ` +
        `${(result.cpuMsPerCall ?? Number.NaN).toFixed(3)} | ` +
        `${ratio(result, full).median.toFixed(2)}× | ${ratio(result, bare).median.toFixed(2)}× |`,
    );
  }
} finally {
  await fleet.close();
}
