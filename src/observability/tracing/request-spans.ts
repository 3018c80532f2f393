import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type TextMapGetter, type Tracer } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import type { McpRequestFinish, McpRequestStart } from "../../mcp/endpoint-hooks.js";
import { requestAttributes, responseAttributes, spanName } from "./span-attributes.js";

const propagator = new W3CTraceContextPropagator();

const fromCarrier: TextMapGetter<Record<string, string>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/**
 * The endpoint's onRequestStarted hook that gives every MCP request a SERVER span, ended when it is
 * answered; an unauthenticated caller is recorded as `anonymousPrincipal`. A client that sends `traceparent` (and `tracestate`) in the request's `params._meta`,
 * as the MCP conventions propose, gets the span as a child of its own.
 */
export function requestSpans(
  tracer: Tracer,
  anonymousPrincipal: string,
): (start: McpRequestStart) => McpRequestFinish {
  return (start) => {
    const span = tracer.startSpan(
      spanName(start),
      { kind: SpanKind.SERVER, attributes: requestAttributes(start, anonymousPrincipal) },
      propagator.extract(ROOT_CONTEXT, traceCarrier(start.request.params?._meta), fromCarrier),
    );
    return (response) => {
      const attributes = responseAttributes(response);
      span.setAttributes(attributes);
      const errorType = attributes["error.type"];
      if (typeof errorType === "string") span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
      span.end();
    };
  };
}

/** The W3C trace context fields of `_meta`; anything else there is none of the propagator's business. */
function traceCarrier(meta: unknown): Record<string, string> {
  if (typeof meta !== "object" || meta === null) return {};
  const { traceparent, tracestate } = meta as { traceparent?: unknown; tracestate?: unknown };
  return {
    ...(typeof traceparent === "string" ? { traceparent } : {}),
    ...(typeof tracestate === "string" ? { tracestate } : {}),
  };
}
