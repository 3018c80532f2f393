import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { summarizeProfiles } from "./cpu-profile.js";
import { runLoad } from "./mcp-load.js";
import {
  bareSdk,
  getUserFound,
  getUserInvalid,
  getUserMissing,
  prepareTarget,
  resilient,
  successCallFor,
} from "./scenarios.js";
import { ServerFleet } from "./servers.js";

/**
 * Where the product's time goes under load: runs resilient-mcp (and the bare SDK server, for
 * comparison) with --cpu-prof under `connections` connections for `seconds`, then prints self
 * time by package and by function. Not part of `npm run bench`; run it by hand:
 *   node --import tsx bench/profile.ts [seconds] [connections] [functions listed] [found|invalid|missing]
 */
const seconds = Number(process.argv[2] ?? "5");
const connections = Number(process.argv[3] ?? "10");
const topFunctions = Number(process.argv[4] ?? "15");
const productCall =
  { found: getUserFound, invalid: getUserInvalid, missing: getUserMissing }[process.argv[5] ?? "found"] ??
  getUserFound;
const fleet = new ServerFleet();
const percent = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;

try {
  for (const spec of [resilient, bareSdk]) {
    const dir = mkdtempSync(join(tmpdir(), "resilient-mcp-profile-"));
    const server = await fleet.start({ ...spec, cpuProfileDir: dir });
    const target = await prepareTarget(server, connections);
    const call = spec === resilient ? productCall : successCallFor(spec);
    await runLoad(target, call, { connections, seconds: 2 });
    const run = await runLoad(target, call, { connections, seconds });
    await server.stop();
    const summary = summarizeProfiles(dir, topFunctions);
    rmSync(dir, { recursive: true, force: true });
    console.log(`\n== ${spec.label}: ${run.rps.toFixed(0)} req/s, ${percent(summary.idleShare)} idle`);
    console.log("self time by package (share of busy time):");
    for (const entry of summary.byPackage) console.log(`  ${percent(entry.share)}  ${entry.name}`);
    console.log(
      "time charged to the nearest package on the stack (Node and V8 work count for their caller):",
    );
    for (const entry of summary.byCallerPackage) console.log(`  ${percent(entry.share)}  ${entry.name}`);
    console.log("self time by function:");
    for (const entry of summary.byFunction) console.log(`  ${percent(entry.share)}  ${entry.name}`);
  }
} finally {
  await fleet.close();
}
