/**
 * Deadlines for every wait in the tests. A wait without one turns a lost answer into a hung run
 * (Node 20's fetch can fail to settle when a server destroys a socket); with one, the test fails
 * with a message naming what it waited for.
 */

/** How long a test waits for one answer from a loopback server unless it says otherwise. */
export const ANSWER_DEADLINE_MS = 10_000;

/** The error a missed deadline fails with: it names what was awaited and for how long. */
export class DeadlineError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer within ${ms} ms`);
    this.name = "DeadlineError";
  }
}

/**
 * An AbortSignal that aborts after `ms` with a DeadlineError naming `what`; pass it to fetch or
 * to anything that takes a signal. The timer is unref'd so it never keeps a finished run alive.
 */
export function deadlineSignal(what: string, ms = ANSWER_DEADLINE_MS): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => {
    controller.abort(new DeadlineError(what, ms));
  }, ms).unref();
  return controller.signal;
}

/** Settles like `promise`, or rejects with a DeadlineError naming `what` after `ms`. */
export async function withDeadline<T>(
  what: string,
  promise: Promise<T>,
  ms = ANSWER_DEADLINE_MS,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const missed = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new DeadlineError(what, ms));
    }, ms);
  });
  try {
    return await Promise.race([promise, missed]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Calls `probe` every `everyMs` until it returns something other than undefined, and resolves
 * with it; rejects with a DeadlineError naming `what` after `ms`. For conditions that become true
 * by themselves (a timer-driven probe, a process writing a line).
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = ANSWER_DEADLINE_MS,
  everyMs = 100,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= until) throw new DeadlineError(what, ms);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The address a fetch input names, for a deadline's message. */
export function urlOf(input: string | URL | Request): string {
  if (typeof input === "string") return input;
  return input instanceof URL ? input.href : input.url;
}
