import { eraTargets, erasTable, measureEras } from "./eras.js";
import { targetTable } from "./report.js";
import { ServerFleet } from "./servers.js";

/**
 * `node --import tsx bench/eras-series.ts [seconds] [rounds] [connections]`: only the protocol-eras
 * series of `npm run bench` (build first: it runs dist/), printed as its table and targets. For
 * iterating on the 2026 path without the whole run.
 */
const [seconds = 1.5, rounds = 6, connections = 10] = process.argv.slice(2).map(Number);
const fleet = new ServerFleet();
process.once("exit", () => {
  fleet.killAll();
});
try {
  const series = await measureEras(fleet, { seconds, rounds, connections, warmupSeconds: 1 }, (line) =>
    process.stderr.write(`${line}\n`),
  );
  process.stdout.write(`${erasTable(series)}\n\n${targetTable(eraTargets(series))}\n`);
} finally {
  await fleet.close();
}
