import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { loadConfig } from "../../config/load.js";
import { createApp } from "../../src/app.js";
import { createServices, type Services } from "../../src/services.js";
import { LogCapture } from "./log-capture.js";

export interface RunningServer {
  readonly url: URL;
  readonly mcpUrl: URL;
  readonly services: Services;
  readonly logs: LogCapture;
  readonly http: Server;
  close(): Promise<void>;
}

/** Builds the app from an environment-like record (defaults apply) without listening. */
export function buildApp(env: Record<string, string> = {}) {
  const logs = new LogCapture();
  const services = createServices(loadConfig({ LOG_LEVEL: "debug", ...env }), { logDestination: logs });
  return { app: createApp(services), services, logs };
}

/** Starts the full app on 127.0.0.1 port 0, as a user's client would reach it. */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const { app, services, logs } = buildApp(env);
  const http = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => http.once("listening", resolve));
  const { port } = http.address() as AddressInfo;
  const url = new URL(`http://127.0.0.1:${port}`);
  return {
    url,
    mcpUrl: new URL("/mcp", url),
    services,
    logs,
    http,
    async close() {
      await services.close();
      await new Promise<void>((resolve) => {
        http.close(() => {
          resolve();
        });
        http.closeAllConnections();
      });
    },
  };
}
