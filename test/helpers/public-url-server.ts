import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ServiceOptions } from "../../src/services.js";
import { buildApp, type RunningServer } from "./test-server.js";

/**
 * Like startServer, but the port is taken before the app is built, so the app can be configured
 * with its own address as PUBLIC_URL (OAuth metadata and token audiences are built on it).
 */
export async function startServerWithPublicUrl(
  env: (publicUrl: string) => Record<string, string> | Promise<Record<string, string>>,
  options: ServiceOptions = {},
): Promise<RunningServer> {
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}`);
  const publicUrl = url.origin;
  let built;
  try {
    built = await buildApp({ PUBLIC_URL: publicUrl, ...(await env(publicUrl)) }, options);
  } catch (error) {
    http.close();
    throw error;
  }
  const { app, services, logs } = built;
  http.on("request", app);
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
