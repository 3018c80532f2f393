import { measureAuthentication } from "./auth.js";
import { authenticationTable, authenticationTargets, targetTable } from "./report.js";
import { ServerFleet } from "./servers.js";

/**
 * `node --import tsx bench/auth-series.ts [seconds] [rounds] [connections]`: only the
 * authentication series of `npm run bench` (build first: it runs dist/), printed as its table
 * and targets. For iterating on the authenticated path without the whole six-minute run.
 */
const [seconds = 1.5, rounds = 6, connections = 10] = process.argv.slice(2).map(Number);
const fleet = new ServerFleet();
process.once("exit", () => {
  fleet.killAll();
});
try {
  const series = await measureAuthentication(fleet, {
    seconds,
    rounds,
    connections,
    warmupSeconds: 1,
    onRun: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${authenticationTable(series)}\n\n${targetTable(authenticationTargets(series))}\n`);
} finally {
  await fleet.close();
}
