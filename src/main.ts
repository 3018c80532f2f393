import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import { ConfigError, loadConfig } from "../config/load.js";
import { createApp } from "./app.js";
import { createMetricsApp } from "./metrics-app.js";
import { createServices } from "./services.js";

/**
 * The only file that reads process.env, listens on a port and handles signals. SIGTERM/SIGINT
 * drain: readiness turns 503, new sessions are refused, in-flight calls get the grace period to
 * finish, then sessions close and the process exits 0.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  let services;
  try {
    services = await createServices(config);
  } catch (error) {
    // A backend that cannot start (unreadable data dir, missing workspace) stops the process
    // with one clear line, like a bad configuration value does.
    process.stderr.write(`Cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const { logger } = services;
  const app = createApp(services);
  const httpServer = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    httpServer.once("listening", resolve);
    httpServer.once("error", reject);
  });
  const address = httpServer.address() as AddressInfo;
  logger.info(
    {
      host: address.address,
      port: address.port,
      mode: config.sessionMode,
      fixtures: config.conformanceFixtures,
    },
    `resilient-mcp listening on http://${config.host}:${address.port}/mcp`,
  );
  const metricsServer =
    config.metricsEndpoint.port === undefined
      ? undefined
      : await listen(createMetricsApp(services), config.metricsEndpoint.port, config.host);
  if (metricsServer !== undefined) {
    logger.info({ port: (metricsServer.address() as AddressInfo).port }, "metrics served on their own port");
  }
  // Out at once, not with the next buffer: orchestrators and scripts wait for this line.
  logger.flush();
  // SIGHUP re-reads the API keys file (it is also watched; this covers filesystems without events).
  process.on("SIGHUP", () => void services.auth.reload());

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const forced = setTimeout(() => {
      logger.error({ signal }, "shutdown took too long; exiting");
      process.exit(1);
    }, config.shutdownGraceMs + 5000);
    forced.unref();

    services.lifecycle.startDraining();
    logger.info({ signal, in_flight: services.lifecycle.inFlight }, "draining");
    const idle = await services.lifecycle.waitForIdle(config.shutdownGraceMs);
    if (!idle) logger.warn({ in_flight: services.lifecycle.inFlight }, "grace period over; closing anyway");
    await services.close();
    metricsServer?.close();
    metricsServer?.closeAllConnections();
    await new Promise<void>((resolve) => {
      httpServer.close(() => {
        resolve();
      });
      httpServer.closeAllConnections();
    });
    logger.info({ signal }, "stopped");
    await new Promise<void>((resolve) => {
      logger.flush(() => {
        resolve();
      });
    });
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}

async function listen(app: Express, port: number, host: string): Promise<Server> {
  const server = app.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  return server;
}

void main();
