import { Server } from "node:net";

/**
 * Preloaded (`node --import`) into a reference server that cannot be told where to bind
 * (@modelcontextprotocol/server-everything calls `app.listen(PORT)`, which binds every
 * interface): a listen on a port without a host binds 127.0.0.1 instead, so the benchmark never
 * exposes a server beyond loopback.
 */
const listen = Object.getOwnPropertyDescriptor(Server.prototype, "listen")?.value as (
  this: Server,
  ...args: unknown[]
) => Server;

Server.prototype.listen = function listenOnLoopback(this: Server, ...args: unknown[]): Server {
  const [port, host] = args;
  const portOnly = typeof port === "number" || (typeof port === "string" && /^\d+$/.test(port));
  if (portOnly && typeof host !== "string") args.splice(1, 0, "127.0.0.1");
  return listen.apply(this, args);
} as typeof Server.prototype.listen;
