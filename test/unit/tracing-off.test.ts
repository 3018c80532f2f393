import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, it } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Starts a server in a child process that refuses to load the OpenTelemetry SDK; its one line. */
async function probe(env: Record<string, string>): Promise<Record<string, unknown>> {
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", "test/helpers/tracing-sdk-probe.ts", JSON.stringify(env)],
    { timeout: 60_000 },
  );
  const last = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(last) as Record<string, unknown>;
}

describe("tracing off is free", () => {
  it("serves calls without loading the OpenTelemetry SDK when no OTLP endpoint is set", async () => {
    assert.deepEqual(await probe({}), { status: 200, isError: true });
  });

  it("does load it when an endpoint is set (so the check above can fail)", async () => {
    const outcome = await probe({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" });
    assert.match(String(outcome.failed), /refused to load @opentelemetry\//);
  });
});
