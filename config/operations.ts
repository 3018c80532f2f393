import type { z } from "zod";
import { wholeNumber } from "./env-values.js";

/** The variables of what an operator tunes: how shutdown announces itself, how often health is probed. */
export const operationsShape = {
  SHUTDOWN_DELAY_MS: wholeNumber(0, 600_000).default(0),
  STORE_PROBE_INTERVAL_MS: wholeNumber(100, 600_000).default(5000),
};

/** The part of Config these variables become. */
export type OperationsConfig = Readonly<{
  /** After SIGTERM, how long /ready answers 503 while everything is still served. */
  shutdownDelayMs: number;
  /** How often the store's health probe (file identity, a test write, room left) runs. */
  storeProbeIntervalMs: number;
}>;

/** Maps the parsed variables to their part of Config. */
export function operationsConfig(values: z.output<z.ZodObject<typeof operationsShape>>): OperationsConfig {
  return Object.freeze({
    shutdownDelayMs: values.SHUTDOWN_DELAY_MS,
    storeProbeIntervalMs: values.STORE_PROBE_INTERVAL_MS,
  });
}
