import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self time (share of samples) per group, largest first. */
export interface ProfileShare {
  readonly name: string;
  readonly share: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly idleShare: number;
  /** Self time by the package whose code ran. */
  readonly byPackage: readonly ProfileShare[];
  /** Each sample charged to the nearest package on its stack: Node internals and V8 builtins count for their caller. */
  readonly byCallerPackage: readonly ProfileShare[];
  readonly byFunction: readonly ProfileShare[];
}

/** Where a frame's code lives: an npm package, the product's own code, Node's internals, or V8. */
function packageOf(url: string, functionName: string): string {
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1] !== undefined) return modules[1];
  if (url.includes("/dist/")) return "resilient-mcp (own code)";
  if (url.startsWith("node:")) return "node internals";
  if (url === "") return functionName.startsWith("(") ? functionName : "(native / V8 builtins)";
  return url;
}

function top(weights: Map<string, number>, total: number, count: number): ProfileShare[] {
  return [...weights]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, weight]) => ({ name, share: weight / total }));
}

/**
 * Summarizes the .cpuprofile files that `node --cpu-prof --cpu-prof-dir=dir` wrote: self time by
 * package and by function, idle time excluded from the shares.
 */
export function summarizeProfiles(dir: string, count = 12): ProfileSummary {
  const byPackage = new Map<string, number>();
  const byCallerPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const file of readdirSync(dir).filter((name) => name.endsWith(".cpuprofile"))) {
    const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile;
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const parents = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
    const callerPackage = (id: number): string => {
      for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
        const frame = nodes.get(at)?.callFrame;
        if (frame !== undefined && /node_modules\/|\/dist\//.test(frame.url)) return packageOf(frame.url, "");
      }
      return packageOf(nodes.get(id)?.callFrame.url ?? "", nodes.get(id)?.callFrame.functionName ?? "");
    };
    profile.samples.forEach((id, index) => {
      const node = nodes.get(id);
      const us = profile.timeDeltas[index] ?? 0;
      if (node === undefined) return;
      totalUs += us;
      const { functionName, url, lineNumber } = node.callFrame;
      if (functionName === "(idle)") {
        idleUs += us;
        return;
      }
      const pkg = packageOf(url, functionName);
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
      const caller = callerPackage(id);
      byCallerPackage.set(caller, (byCallerPackage.get(caller) ?? 0) + us);
      const where =
        url === ""
          ? ""
          : ` ${url.replace(/^.*node_modules\//, "").replace(/^.*\/dist\//, "dist/")}:${lineNumber + 1}`;
      const name = `${functionName || "(anonymous)"}${where}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    });
  }
  const busy = totalUs - idleUs;
  return {
    totalMs: totalUs / 1000,
    idleShare: totalUs === 0 ? 0 : idleUs / totalUs,
    byPackage: top(byPackage, busy, count),
    byCallerPackage: top(byCallerPackage, busy, count),
    byFunction: top(byFunction, busy, count),
  };
}
