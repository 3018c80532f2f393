import { z } from "zod";

/** A whole number of milliseconds within bounds, read from a string. */
function milliseconds(min: number, max: number) {
  const problem = { error: `expected a whole number of milliseconds from ${min} to ${max}` };
  return z
    .string()
    .trim()
    .regex(/^\d+$/, problem)
    .transform(Number)
    .pipe(z.number().int().min(min, problem).max(max, problem));
}

/** The variables of what an operator tunes: how shutdown announces itself, how often health is probed. */
export const operationsShape = {
  SHUTDOWN_DELAY_MS: milliseconds(0, 600_000).default(0),
  STORE_PROBE_INTERVAL_MS: milliseconds(100, 600_000).default(5000),
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
