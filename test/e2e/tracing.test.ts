import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Envelope } from "../../src/errors/envelope.js";
import { connectClient } from "../helpers/mcp-client.js";
import { callForEnvelope, errorOf } from "../helpers/network-envelope.js";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../helpers/otlp-receiver.js";
import { pollUntil, withDeadline } from "../helpers/deadline.js";
import { callTool, MODERN } from "../helpers/modern-requests.js";
import { startServer } from "../helpers/test-server.js";

const CLIENT_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CLIENT_SPAN_ID = "00f067aa0ba902b7";
const SPAN_KIND_SERVER = 2;
const STATUS_ERROR = 2;

describe("OpenTelemetry traces exported over OTLP/HTTP", () => {
  let receiver: OtlpReceiver;
  let spans: readonly ReceivedSpan[];
  let referenceId: string;
  let sessionId: string;

  before(async () => {
    receiver = await startOtlpReceiver();
    const server = await startServer({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: "traced",
    });
    try {
      const { client, transport } = await connectClient(server.mcpUrl);
      sessionId = transport.sessionId ?? "";
      const failed = await withDeadline(
        "get_user call with a client traceparent",
        client.callTool({
          name: "get_user",
          arguments: { user_id: "999" },
          _meta: { traceparent: `00-${CLIENT_TRACE_ID}-${CLIENT_SPAN_ID}-01`, tracestate: "vendor=1" },
        }),
      );
      const envelope = failed.structuredContent as Envelope;
      referenceId = errorOf({ envelope, isError: failed.isError === true }).reference_id;
      errorOf(await callForEnvelope(client, "get_user", { user_id: "1000" }));
      await withDeadline(
        "unknown tool call",
        client.callTool({ name: "no_such_tool", arguments: {} }).catch(() => undefined),
      );
      await client.close();
      const modern = await callTool(server.mcpUrl, "get_user", { user_id: "999" }, { id: "modern-1" });
      assert.equal(modern.status, 200, modern.text);
    } finally {
      // Shutdown flushes the batch: every span above is exported before close resolves.
      await server.close();
    }
    spans = await pollUntil("spans of the five requests at the OTLP receiver", () =>
      Promise.resolve(receiver.spans.length >= 5 ? receiver.spans : undefined),
    );
  });

  after(async () => {
    await receiver.close();
  });

  it("exports in OTLP JSON, with the service's name", () => {
    assert.deepEqual(receiver.rejected, []);
    assert.ok(spans.every((span) => span.resource["service.name"] === "traced"));
  });

  it("gives a failing tool call a SERVER span named after the method and tool, marked as an error", () => {
    const span = spans.find(
      (candidate) => candidate.attributes["resilient_mcp.reference_id"] === referenceId,
    );
    assert.ok(span, `a span carries the failed call's reference id ${referenceId}: ${JSON.stringify(spans)}`);
    assert.equal(span.name, "tools/call get_user");
    assert.equal(span.kind, SPAN_KIND_SERVER);
    assert.equal(span.status.code, STATUS_ERROR);
    assert.equal(span.status.message, "not_found");
    assert.equal(span.attributes["mcp.method.name"], "tools/call");
    assert.equal(span.attributes["gen_ai.tool.name"], "get_user");
    assert.equal(span.attributes["gen_ai.operation.name"], "execute_tool");
    assert.equal(span.attributes["error.type"], "not_found");
    assert.equal(span.attributes["mcp.protocol.version"], "2025-11-25");
    assert.equal(span.attributes["network.transport"], "tcp");
    assert.equal(span.attributes["enduser.id"], "anonymous");
    assert.equal(typeof span.attributes["jsonrpc.request.id"], "string");
  });

  it("continues the trace the client named in params._meta.traceparent", () => {
    const span = spans.find(
      (candidate) => candidate.attributes["resilient_mcp.reference_id"] === referenceId,
    );
    assert.equal(span?.traceId, CLIENT_TRACE_ID);
    assert.equal(span.parentSpanId, CLIENT_SPAN_ID);
    const untraced = spans.filter((candidate) => candidate.traceId !== CLIENT_TRACE_ID);
    assert.equal(untraced.length, spans.length - 1, "calls without a traceparent start traces of their own");
    assert.ok(untraced.every((candidate) => candidate.parentSpanId === undefined));
  });

  it("records the session as a fingerprint, never the session id itself", () => {
    assert.notEqual(sessionId, "");
    const fingerprint = createHash("sha256").update(sessionId).digest("hex").slice(0, 16);
    const onSession = spans.filter((span) => span.attributes["mcp.protocol.version"] !== MODERN);
    assert.equal(onSession.length, 4);
    assert.ok(onSession.every((span) => span.attributes["mcp.session.id"] === fingerprint));
    assert.ok(!JSON.stringify(spans).includes(sessionId), "the raw session id is in no span");
  });

  it("names an unknown tool's span with a fixed target and the JSON-RPC error", () => {
    const span = spans.find((candidate) => candidate.attributes["rpc.response.status_code"] === "-32602");
    assert.ok(span, "the unknown tool's -32602 has a span");
    assert.equal(span.name, "tools/call unknown");
    assert.equal(span.attributes["gen_ai.tool.name"], "unknown");
    assert.equal(span.status.code, STATUS_ERROR);
    assert.equal(typeof span.attributes["error.type"], "string");
    assert.ok(!JSON.stringify(spans).includes("no_such_tool"), "a client cannot mint span names");
  });

  it("traces a stateless 2026 call too, without a session", () => {
    const span = spans.find((candidate) => candidate.attributes["jsonrpc.request.id"] === "modern-1");
    assert.ok(span, "the 2026 call has a span");
    assert.equal(span.name, "tools/call get_user");
    assert.equal(span.attributes["mcp.protocol.version"], MODERN);
    assert.equal(span.attributes["error.type"], "not_found");
    assert.equal(span.attributes["mcp.session.id"], undefined);
  });

  it("gives initialize a span of its own", () => {
    assert.ok(spans.some((span) => span.name === "initialize" && span.status.code !== STATUS_ERROR));
  });
});

describe("a collector that never answers", () => {
  it("does not hold up shutdown past the shutdown grace period", async () => {
    const silent = createServer(() => {
      // Accepts the export and never answers it.
    });
    silent.listen(0, "127.0.0.1");
    await once(silent, "listening");
    const { port } = silent.address() as AddressInfo;
    const server = await startServer({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` });
    try {
      const answer = await callTool(server.mcpUrl, "get_user", { user_id: "999" });
      assert.equal(answer.status, 200, answer.text);
      // The default SHUTDOWN_GRACE_MS: after it, main exits anyway and the spans would be lost.
      await withDeadline("shutdown with a collector that never answers", server.close(), 10_000);
      await pollUntil("the warning that the last spans were lost", () =>
        Promise.resolve(
          server.logs.lines.find((line) => line.msg === "the last spans could not be exported at shutdown"),
        ),
      );
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
