import { startPostgres } from "../scripts/cluster/postgres-instance.js";
import { startRedis } from "../scripts/cluster/redis-instance.js";
import { ratio } from "./report.js";
import { getUserFound, prepareTarget, resilient } from "./scenarios.js";
import { ServerFleet, type ServerSpec } from "./servers.js";
import { measureAlternating, warmUp, type Contender } from "./throughput.js";

/**
 * One server on PostgreSQL (DATABASE_URL, a temporary local instance), and one on Redis and
 * PostgreSQL (a replica as the cluster runs it), against the embedded SQLite default, get_user,
 * alternated like `npm run bench`. Not part of `npm run bench`; run it by hand:
 *   node --import tsx bench/postgres.ts [seconds] [rounds] [connections]
 */
const seconds = Number(process.argv[2] ?? "5");
const rounds = Number(process.argv[3] ?? "2");
const connections = Number(process.argv[4] ?? "10");

const postgres = await startPostgres();
const redis = await startRedis();
const fleet = new ServerFleet();
try {
  const variants: readonly ServerSpec[] = [
    { ...resilient, label: "SQLite (embedded), get_user", env: { LOG_LEVEL: "warn" } },
    {
      ...resilient,
      label: "PostgreSQL (DATABASE_URL), get_user",
      env: { LOG_LEVEL: "warn", DATABASE_URL: postgres.url },
    },
    {
      ...resilient,
      label: "Redis + PostgreSQL (one replica), get_user",
      env: { LOG_LEVEL: "warn", DATABASE_URL: postgres.url, REDIS_URL: redis.url },
    },
  ];
  const contenders: Contender[] = [];
  for (const spec of variants) {
    const server = await fleet.start(spec);
    contenders.push({
      label: spec.label,
      target: await prepareTarget(server, connections),
      call: getUserFound,
      cpuSeconds: () => server.cpuSeconds(),
    });
  }
  await warmUp(contenders, 2, connections);
  const series = await measureAlternating("postgres", contenders, {
    connections,
    rounds,
    seconds,
    onRun: (line) => process.stderr.write(`${line}\n`),
  });
  const sqlite = series.results[0]!;
  console.log(`| store (c=${connections}) | req/s | p50 ms | CPU ms/call | req/s ÷ SQLite |`);
  console.log("| --- | --- | --- | --- | --- |");
  for (const result of series.results) {
    console.log(
      `| ${result.label} | ${result.rps.toFixed(0)} | ${result.p50Ms.toFixed(2)} | ` +
        `${(result.cpuMsPerCall ?? Number.NaN).toFixed(3)} | ${ratio(result, sqlite).median.toFixed(2)}× |`,
    );
  }
} finally {
  await fleet.close();
  await postgres.stop();
  await redis.stop();
}
