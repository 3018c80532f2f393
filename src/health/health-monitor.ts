import type { Logger } from "pino";
import type { CheckResult, ReadinessCheck } from "./readiness.js";

/** How a monitored dependency is probed. */
export interface HealthMonitorOptions {
  /** The readiness check's name ("store"). */
  readonly name: string;
  /** One probe; it may do I/O (a test write). A throw counts as a failure. */
  readonly probe: () => Promise<CheckResult>;
  readonly intervalMs: number;
  readonly logger: Logger;
  /** Runs after every probe that passed: lets stalled work resume once the dependency heals. */
  readonly onHealthy?: () => void;
}

/**
 * Probes a dependency on a timer and remembers the verdict, so /ready and every scrape read it
 * without doing I/O (a load balancer polling /ready five times a second must not cause five test
 * writes a second). Changes of verdict are logged: a warning naming the reason when it starts
 * failing, an info line when it recovers.
 */
export class HealthMonitor implements ReadinessCheck {
  readonly name: string;
  #last: CheckResult = { ok: true };
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<CheckResult> | undefined;

  constructor(private readonly options: HealthMonitorOptions) {
    this.name = options.name;
  }

  /** Probes once now (so readiness is true from the first request), then every interval. */
  async start(): Promise<void> {
    await this.probeNow();
    this.#timer = setInterval(() => {
      void this.probeNow();
    }, this.options.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The last verdict. */
  check(): Promise<CheckResult> {
    return Promise.resolve(this.#last);
  }

  /** Probes now (joining a probe already running) and records the verdict. */
  probeNow(): Promise<CheckResult> {
    this.#running ??= this.#probe().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #probe(): Promise<CheckResult> {
    let result: CheckResult;
    try {
      result = await this.options.probe();
    } catch (error) {
      result = {
        ok: false,
        reason: "probe_failed",
        message: error instanceof Error ? error.message : String(error),
      };
    }
    this.#record(result);
    if (result.ok) this.options.onHealthy?.();
    return result;
  }

  #record(result: CheckResult): void {
    const previous = this.#last;
    this.#last = result;
    const check = this.name;
    if (!result.ok && (previous.ok || previous.reason !== result.reason)) {
      this.options.logger.warn(
        { check, reason: result.reason, detail: result.message },
        `${check} is failing: not ready`,
      );
    } else if (result.ok && !previous.ok) {
      this.options.logger.info({ check, was: previous.reason }, `${check} recovered: ready`);
    }
  }
}
