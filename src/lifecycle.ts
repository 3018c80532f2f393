/**
 * Whether the server is draining, and how many MCP requests are still being answered. Shutdown
 * flips `draining` (readiness turns 503, new sessions are refused) and then waits for in-flight
 * requests to finish, up to the grace period.
 */
export class ServerLifecycle {
  private drainingSince: number | undefined;
  private inFlightCount = 0;
  private idleWaiters: (() => void)[] = [];

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  startDraining(now = Date.now()): void {
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
