/**
 * Past SHUTDOWN_DELAY_MS and SHUTDOWN_GRACE_MS, closing sessions and the store gets this long
 * before the process exits 1 anyway. A container's stop timeout must exceed delay + grace + this
 * margin (docs/monitoring.md, "Stopping").
 */
export const FORCED_EXIT_MARGIN_MS = 3000;

/**
 * Whether the server is stopping or draining, and how many MCP requests are still being answered.
 * Shutdown first announces the stop (readiness turns 503 while everything is still served, so
 * load balancers notice: SHUTDOWN_DELAY_MS), then drains (new sessions are refused) and waits for
 * in-flight requests to finish, up to the grace period.
 */
export class ServerLifecycle {
  private stoppingSince: number | undefined;
  private drainingSince: number | undefined;
  private inFlightCount = 0;
  private idleWaiters: (() => void)[] = [];

  /** True from the stop announcement on: readiness answers 503. */
  get stopping(): boolean {
    return this.stoppingSince !== undefined;
  }

  /** True once new work is refused. */
  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Readiness turns 503; requests and new sessions are still served. */
  announceStop(now = Date.now()): void {
    this.stoppingSince ??= now;
  }

  /** New sessions are refused from now on (and readiness is 503). */
  startDraining(now = Date.now()): void {
    this.stoppingSince ??= now;
    this.drainingSince ??= now;
  }

  /** Marks one request as started; call the returned function exactly once when it ends. */
  track(): () => void {
    this.inFlightCount += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlightCount -= 1;
      if (this.inFlightCount === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const wake of waiters) wake();
      }
    };
  }

  /** Resolves true when no request is in flight, or false when `timeoutMs` passes first. */
  waitForIdle(timeoutMs: number): Promise<boolean> {
    if (this.inFlightCount === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((waiter) => waiter !== wake);
        resolve(false);
      }, timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(wake);
    });
  }
}
