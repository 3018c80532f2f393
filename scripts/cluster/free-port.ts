import { createServer } from "node:net";

/** A loopback TCP port that was free a moment ago (the OS picks it; we release it at once). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (port === 0) throw new Error("the OS gave no free loopback port");
  return port;
}
