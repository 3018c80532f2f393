/**
 * Preloaded into a server process by the soak test (NODE_OPTIONS="--expose-gc --import <this>"):
 * on SIGUSR2 it runs a full garbage collection and writes one line "heap-probe {json}" to stderr,
 * so the test can read the live heap of the real process, free of the collector's saw-tooth.
 * It changes nothing else in the process.
 */
const collect = (globalThis as { gc?: () => void }).gc;

process.on("SIGUSR2", () => {
  collect?.();
  const { heapUsed, rss, external, arrayBuffers } = process.memoryUsage();
  process.stderr.write(
    `heap-probe ${JSON.stringify({ heapUsed, rss, external, arrayBuffers, gc: collect !== undefined })}\n`,
  );
});
