/**
 * Run as a child process (node --import tsx test/helpers/tracing-sdk-probe.ts '<env JSON>'): refuses
 * to load any OpenTelemetry SDK package, then starts the server with the given environment and
 * serves one tool call. Prints one JSON line: what the call answered, or why starting failed.
 */
import { register } from "node:module";

const SDK = /@opentelemetry\/(sdk-trace|exporter-trace-otlp-http|resources|core)(\/|$)/;

register(
  `data:text/javascript,${encodeURIComponent(`
    export async function resolve(specifier, context, next) {
      if (${SDK.toString()}.test(specifier)) throw new Error("refused to load " + specifier);
      return next(specifier, context);
    }`)}`,
);

const env = JSON.parse(process.argv[2] ?? "{}") as Record<string, string>;
// Imported only now, so the hook above sees every module the server loads.
const { startServer } = await import("./test-server.js");
const { callTool } = await import("./modern-requests.js");
try {
  const server = await startServer({ LOG_LEVEL: "silent", ...env });
  const answer = await callTool(server.mcpUrl, "get_user", { user_id: "999" });
  await server.close();
  console.log(JSON.stringify({ status: answer.status, isError: answer.messages[0]?.result?.isError }));
} catch (error) {
  console.log(JSON.stringify({ failed: error instanceof Error ? error.message : String(error) }));
}
