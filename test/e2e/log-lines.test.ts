import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { duplicateKeys } from "../helpers/duplicate-keys.js";
import { startFaultServer, type FaultServer } from "../helpers/fault-server.js";
import {
  OPERATOR_TEST_TOOLS,
  driveOperatorTraffic,
  operatorTrafficEnv,
  type TrafficReport,
} from "../helpers/operator-traffic.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";

/**
 * Every line of a run with successes, every error type, an unknown tool, an open circuit and
 * refused requests: parseable, no key twice (a parser keeps the last, so a filter on the first
 * silently drops the line), errors logged under their real class, and every failed call's
 * reference id findable at every LOG_LEVEL from debug to error.
 */

/** Every `err` object anywhere in a line. */
function errObjects(value: unknown): Record<string, unknown>[] {
  if (typeof value !== "object" || value === null) return [];
  const found: Record<string, unknown>[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (key === "err" && typeof child === "object" && child !== null)
      found.push(child as Record<string, unknown>);
    found.push(...errObjects(child));
  }
  return found;
}

async function run(level: string): Promise<{ server: RunningServer; traffic: TrafficReport }> {
  const upstream = await startFaultServer();
  upstreams.push(upstream);
  const server = await startServer(
    { ...operatorTrafficEnv(upstream), LOG_LEVEL: level },
    { extraTools: OPERATOR_TEST_TOOLS },
  );
  servers.push(server);
  const traffic = await driveOperatorTraffic(server.url, upstream);
  return { server, traffic };
}

const servers: RunningServer[] = [];
const upstreams: FaultServer[] = [];

describe("log lines", { timeout: 90_000 }, () => {
  let debugRun: { server: RunningServer; traffic: TrafficReport };
  before(async () => {
    debugRun = await run("debug");
  });
  after(async () => {
    for (const server of servers) await server.close();
    for (const upstream of upstreams) await upstream.close();
  });

  it("every line parses and carries no key twice, at any depth", () => {
    const { raw } = debugRun.server.logs;
    assert.ok(raw.length > 50, `a run of many lines (${raw.length})`);
    for (const line of raw) assert.deepEqual(duplicateKeys(line), [], line);
    // The upstream failures (the lines that used to carry "service" twice) are among them.
    const upstreamFailures = debugRun.server.logs.lines.filter(
      (line) => line.upstream_service === "upstream-api",
    );
    assert.ok(upstreamFailures.length >= 3, "upstream failures are logged with upstream_service");
    for (const line of upstreamFailures) assert.equal(line.service, "resilient-mcp");
  });

  it("errors are logged under their real class, never as a plain Object", () => {
    const errs = debugRun.server.logs.lines.flatMap(errObjects);
    assert.ok(errs.length > 0);
    for (const err of errs) assert.notEqual(err.type, "Object", JSON.stringify(err));
    const internal = debugRun.traffic.failures.find((failure) => failure.type === "internal_error");
    const [line] = debugRun.server.logs.find({ reference_id: internal?.referenceId });
    assert.equal((line?.err as { type?: unknown } | undefined)?.type, "TypeError");
  });

  it("only the internal error is an error-level line", () => {
    const errors = debugRun.server.logs.lines.filter(
      (line) => line.level === "error" || line.level === "fatal",
    );
    assert.deepEqual(
      errors.map((line) => line.tool),
      ["always_fails"],
    );
  });

  for (const level of ["debug", "info", "warn", "error"]) {
    it(`every failed call's reference id is in the log at LOG_LEVEL=${level}`, async () => {
      const { server, traffic } = level === "debug" ? debugRun : await run(level);
      const referenceIds = [
        ...traffic.failures.map((failure) => failure.referenceId),
        traffic.unknownToolReferenceId,
      ];
      assert.ok(referenceIds.length >= 10);
      for (const referenceId of referenceIds) {
        // The call's own line (handlers may add lines of their own at debug).
        assert.equal(
          server.logs.find({ reference_id: referenceId, outcome: "error" }).length,
          1,
          `${referenceId} at ${level}`,
        );
      }
      if (level === "error") {
        assert.ok(
          server.logs.lines.every((line) => line.level !== "info" && line.level !== "debug"),
          "successes stay out of an error-level log",
        );
      }
    });
  }
});
