import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "../../config/load.js";

describe("tracing configuration", () => {
  it("is off unless an OTLP endpoint is set", () => {
    assert.deepEqual(loadConfig({}).tracing, { tracesUrl: undefined, serviceName: "resilient-mcp" });
  });

  it("appends v1/traces to the general endpoint, as OpenTelemetry specifies", () => {
    const { tracing } = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" });
    assert.equal(tracing.tracesUrl, "http://collector:4318/v1/traces");
  });

  it("uses the traces endpoint as given, in preference to the general one", () => {
    const { tracing } = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://traces.example.com/otlp/spans",
      OTEL_SERVICE_NAME: "mcp-eu-1",
    });
    assert.deepEqual(tracing, {
      tracesUrl: "https://traces.example.com/otlp/spans",
      serviceName: "mcp-eu-1",
    });
  });

  it("refuses an endpoint that is not an http(s) URL, naming the variable", () => {
    assert.throws(
      () => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4317" }),
      (error: unknown) => error instanceof ConfigError && /OTEL_EXPORTER_OTLP_ENDPOINT=/.test(error.message),
    );
  });
});
