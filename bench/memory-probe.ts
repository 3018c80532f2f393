/**
 * Preloaded (`node --expose-gc --import`) into a server the benchmark starts with an IPC channel:
 * on {type: "memory"} it collects garbage and answers process.memoryUsage(). The server itself
 * gains no endpoint and its code is unchanged; without an IPC channel this does nothing.
 */
const gc = (globalThis as { gc?: () => void }).gc;

if (process.send !== undefined) {
  process.on("message", (message: unknown) => {
    if ((message as { type?: unknown } | null)?.type !== "memory") return;
    // Two passes: the first may only queue finalizers (weak refs, FinalizationRegistry).
    gc?.();
    gc?.();
    process.send?.({ type: "memory", gc: gc !== undefined, usage: process.memoryUsage() });
  });
  // The channel must not keep a server alive that would otherwise exit.
  process.channel?.unref();
}
