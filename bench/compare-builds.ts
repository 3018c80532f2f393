import { ratio } from "./report.js";
import { getUserFound, getUserInvalid, getUserMissing, prepareTarget, resilient } from "./scenarios.js";
import { ServerFleet } from "./servers.js";
import { measureAlternating, warmUp, type Contender } from "./throughput.js";

/**
 * This build against another build of the project (another checkout's `npm run build`), call
 * for call, alternated round by round like `npm run bench`, so a hot-path change is measured
 * against what it replaces on the same machine at the same time. Not part of `npm run bench`:
 *   node --import tsx bench/compare-builds.ts <other>/dist/src/main.js [seconds] [rounds] [connections]
 */
const other = process.argv[2];
if (other === undefined) {
  process.stderr.write(
    "usage: node --import tsx bench/compare-builds.ts <other>/dist/src/main.js [seconds] [rounds] [connections]\n",
  );
  process.exit(2);
}
const seconds = Number(process.argv[3] ?? "3");
const rounds = Number(process.argv[4] ?? "4");
const connections = Number(process.argv[5] ?? "10");

const fleet = new ServerFleet();
try {
  console.log(
    `| call (c=${connections}) | this build req/s | other build req/s | this ÷ other (median of rounds) | CPU ms/call this, other |`,
  );
  console.log("| --- | --- | --- | --- | --- |");
  for (const call of [getUserFound, getUserMissing, getUserInvalid]) {
    const contenders: Contender[] = [];
    for (const [label, entry] of [
      ["this build", undefined],
      ["other build", other],
    ] as const) {
      const server = await fleet.start({ ...resilient, label, ...(entry === undefined ? {} : { entry }) });
      contenders.push({
        label,
        target: await prepareTarget(server, connections),
        call,
        cpuSeconds: () => server.cpuSeconds(),
      });
    }
    await warmUp(contenders, 1, connections);
    const series = await measureAlternating(call.name, contenders, {
      connections,
      rounds,
      seconds,
      onRun: (line) => process.stderr.write(`${line}\n`),
    });
    const [mine, theirs] = series.results;
    if (mine === undefined || theirs === undefined) throw new Error("two contenders expected");
    const name = `${call.name} ${JSON.stringify(call.arguments)}`;
    console.log(
      `| ${name} | ${mine.rps.toFixed(0)} | ${theirs.rps.toFixed(0)} | ${ratio(mine, theirs).median.toFixed(3)}× | ` +
        `${(mine.cpuMsPerCall ?? Number.NaN).toFixed(3)}, ${(theirs.cpuMsPerCall ?? Number.NaN).toFixed(3)} |`,
    );
    await fleet.stopAll();
  }
} finally {
  await fleet.close();
}
