import { mkdtempSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "node:http";
import { loadConfig } from "../../config/load.js";
import { createApp } from "../../src/app.js";
import { createServices, type ServiceOptions, type Services } from "../../src/services.js";
import { LogCapture } from "./log-capture.js";

/**
 * What tests of tool behaviour call with, anonymously on loopback: every permission but
 * project.delete (whose refusal they exercise). Tests of authorization set their own.
 */
export const TEST_PERMISSIONS =
  "project.create,project.update,project.archive,deploy.development,deploy.staging,deploy.production,deploy.cancel,records.import";

export interface RunningServer {
  readonly url: URL;
  readonly mcpUrl: URL;
  readonly services: Services;
  readonly logs: LogCapture;
  readonly http: Server;
  close(): Promise<void>;
}

/**
 * Builds the app from an environment-like record without listening. Defaults apply, except that
 * the store lives in a fresh temporary directory and upstream APIs point at a closed loopback
 * port, so no test writes into the project or reaches the internet by accident.
 */
export async function buildApp(env: Record<string, string> = {}, options: ServiceOptions = {}) {
  const logs = new LogCapture();
  const config = loadConfig({
    LOG_LEVEL: "debug",
    ANONYMOUS_PERMISSIONS: TEST_PERMISSIONS,
    DATA_DIR: env.DATA_DIR ?? mkdtempSync(join(tmpdir(), "resilient-mcp-test-")),
    UPSTREAM_BASE_URL: "http://127.0.0.1:47",
    WEATHER_GEOCODING_URL: "http://127.0.0.1:47",
    WEATHER_FORECAST_URL: "http://127.0.0.1:47",
    WEATHER_ALERTS_URL: "http://127.0.0.1:47",
    ...env,
  });
  const services = await createServices(config, { logDestination: logs, strictSteps: true, ...options });
  return { app: createApp(services), services, logs };
}

/** Starts the full app on 127.0.0.1 port 0, as a user's client would reach it. */
export async function startServer(
  env: Record<string, string> = {},
  options: ServiceOptions = {},
): Promise<RunningServer> {
  const { app, services, logs } = await buildApp(env, options);
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
