import { z } from "zod";
import type { UpstreamClient } from "../backends/upstream/http-client.js";
import { resolveUpstreamUrl } from "../backends/upstream/upstream-url.js";
import { classifyError } from "../errors/classify.js";
import { defineTool } from "./tool-definition.js";

/** Attempts a model should make in all for one logical fetch (`retry.max_attempts`). */
export const FETCH_MAX_ATTEMPTS = 3;

const MAX_ENDPOINT_LENGTH = 2048;

/** The input of fetch_api_data, kept in a const so steps can target the tool by its schema. */
export const fetchApiDataInput = z.object({
  endpoint: z
    .string()
    .trim()
    .min(1, { error: 'expected a path such as "users/1"' })
    .max(MAX_ENDPOINT_LENGTH)
    .describe(
      'Path below the API\'s base URL, optionally with a query: "users/1", "posts?userId=1". ' +
        "Not a full URL, no host name, no '..' climbing above the API's base.",
    ),
  attempt: z
    .number()
    .int()
    .min(1)
    .max(10)
    .default(1)
    .describe(
      "Which try of this fetch this is: 1 the first time; after a retryable failure pass error.retry.next_attempt.",
    ),
});

/** What a successful fetch returns as `data`. */
export const fetchApiDataOutput = z.object({
  endpoint: z.string().describe("The endpoint as requested."),
  status: z.number().int().describe("The HTTP status the API answered with (2xx)."),
  attempt: z.number().int().describe("The attempt that succeeded."),
  body: z.unknown().describe("The API's JSON body, parsed; null for an empty (204) answer."),
});

/** fetch_api_data: a GET on the configured API with retry guidance on failure (docs/patterns.md). */
export function fetchApiDataTool(upstream: UpstreamClient) {
  const base = new URL(upstream.baseUrl);
  return defineTool({
    name: "fetch_api_data",
    title: "Fetch API data",
    description:
      "GETs JSON from the configured HTTP API at `endpoint`, a path relative to the API's base URL " +
      '(e.g. "users/1" or "posts?userId=1"), and returns the HTTP status and parsed body. Read-only. ' +
      "When it fails, read error.retry: if should_retry is true, wait retry_after_seconds and call again " +
      "with attempt set to retry.next_attempt; once should_retry is false, stop and tell the user. " +
      "rate_limited means the API asked us to slow down; external_service_error with kind server_error, " +
      "timeout, connection_failed or circuit_open means the API is unwell for now. kind client_error " +
      "(for example HTTP 404) or bad_response means retrying will not help: change the endpoint instead.",
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
    input: fetchApiDataInput,
    output: fetchApiDataOutput,
    maxAttempts: FETCH_MAX_ATTEMPTS,
    waitsOutside: true,
    async handler({ endpoint, attempt }, ctx) {
      // Schemes, hosts, ".." and the like are refused by the client's own rules, checked here first
      // because the client would name the field "path" and the model sent "endpoint". (A zod regex
      // would show the model the regex itself as what was expected.)
      resolveUpstreamUrl(base, endpoint, {}, "endpoint");
      try {
        const response = await upstream.getJson(endpoint, { signal: ctx.signal });
        return { endpoint, status: response.status, attempt, body: response.body };
      } catch (error) {
        throw withEndpointAdvice(error, endpoint);
      }
    },
  });
}

/**
 * A 4xx is the one upstream failure the model can fix itself, by changing the endpoint: say so
 * concretely. Everything else is left as thrown for the runner to classify and guide.
 */
function withEndpointAdvice(error: unknown, endpoint: string): unknown {
  const classified = classifyError(error);
  if (classified.type !== "external_service_error" || classified.details.kind !== "client_error") {
    return error;
  }
  const shown = endpoint.length > 100 ? `${endpoint.slice(0, 100)}…` : endpoint;
  const status = classified.details.status_code;
  const suggestion =
    status === 404 || status === 410
      ? `The API has no resource at "${shown}". Check the path (e.g. "users/1"), then call fetch_api_data with the corrected endpoint and attempt=1; the same endpoint will fail again.`
      : status === 401 || status === 403
        ? `The API refused access to "${shown}" (HTTP ${status}); this server's credentials do not allow it. Try another endpoint or tell the user it is not accessible.`
        : `The API rejected "${shown}"${status === undefined ? "" : ` (HTTP ${status})`}. Correct the path or query, then call fetch_api_data with the corrected endpoint and attempt=1.`;
  return classified.with({ suggestion });
}
