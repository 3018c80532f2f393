import type { Logger } from "pino";
import { classifyError } from "../errors/classify.js";
import type { ToolError } from "../errors/tool-error.js";
import { cancelled, deadlineExceeded } from "../errors/transient-errors.js";
import type { AnyToolDefinition, Principal, ToolContext } from "./tool-definition.js";
import { AwaitingUserInput, type UserInputChannel } from "./user-input.js";

/**
 * How a handler run ended: its value, the failure it met, or — in the stateless era — the end of
 * the call to ask the user (never a rejection).
 */
export type Settled =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: ToolError }
  | { readonly ok: "awaiting"; readonly awaiting: AwaitingUserInput };

/** Everything one handler run needs; the runner builds it per call. */
export interface HandlerRun {
  readonly tool: AnyToolDefinition;
  readonly args: Record<string, unknown>;
  readonly referenceId: string;
  /** The call's child logger, built on first use. */
  readonly log: () => Logger;
  readonly principal: Principal;
  /** The client's cancellation. */
  readonly signal: AbortSignal;
  readonly reportProgress?:
    ((progress: number, total?: number, message?: string) => Promise<void>) | undefined;
  /** How to ask the user; absent when the client cannot be asked. */
  readonly userInput?: UserInputChannel | undefined;
  /** Epoch ms when the call started, by `now`. */
  readonly started: number;
  readonly timeoutMs: number;
  readonly now: () => number;
}

/**
 * Runs the handler until it settles, its time budget runs out or the client cancels, whichever
 * comes first. A handler that ignores its signal does not hold the call: the abort settles it,
 * and the handler's late outcome is only logged. The handler's AbortSignal is built only if the
 * handler reads ctx.signal: most never do, and an AbortController costs more than the rest of
 * the runner.
 */
export async function runWithDeadline(run: HandlerRun): Promise<Settled> {
  if (run.signal.aborted) return { ok: false, error: cancelled(run.signal.reason) };
  const abort = new CallAbort();
  const budget = new Budget(run, () => {
    abort.fire(
      new DOMException(`${run.tool.name} exceeded its ${run.timeoutMs} ms budget`, "TimeoutError"),
      true,
    );
  });
  const forwardCancel = () => {
    const reason: unknown = run.signal.reason;
    abort.fire(reason instanceof Error ? reason : new Error("aborted"), false);
  };
  run.signal.addEventListener("abort", forwardCancel, { once: true });
  const progress = new ProgressGate(run);
  const context = handlerContext(run, abort, progress, budget);
  const running = (async () => run.tool.handler(run.args, context))();
  running.catch((error: unknown) => {
    // A handler passing on the abort reason is doing as asked; anything else after the end is news.
    if (progress.over && error !== abort.reason) {
      run.log().debug({ err: error }, "handler failed after the call had ended");
    }
  });
  try {
    return { ok: true, value: await Promise.race([running, abort.settled]) };
  } catch (error) {
    if (error instanceof AwaitingUserInput) return { ok: "awaiting", awaiting: error };
    if (abort.byDeadline) return { ok: false, error: deadlineExceeded(run.timeoutMs, error) };
    if (hasAborted(run.signal)) return { ok: false, error: cancelled(error) };
    return { ok: false, error: classifyError(error) };
  } finally {
    progress.over = true;
    budget.stop();
    run.signal.removeEventListener("abort", forwardCancel);
  }
}

/** The end of a call by deadline or cancel: a promise to race, and a lazily built AbortSignal. */
class CallAbort {
  reason: Error | undefined;
  byDeadline = false;
  readonly settled: Promise<never>;
  #controller: AbortController | undefined;
  #reject: (reason: Error) => void = () => undefined;

  constructor() {
    this.settled = new Promise<never>((_resolve, reject) => {
      this.#reject = reject;
    });
    this.settled.catch(() => undefined);
  }

  fire(reason: Error, byDeadline: boolean): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.byDeadline = byDeadline;
    this.#controller?.abort(reason);
    this.#reject(reason);
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.reason !== undefined) this.#controller.abort(this.reason);
    }
    return this.#controller.signal;
  }
}

/** MCP requires increasing progress, and nothing may be sent after the result. */
class ProgressGate {
  over = false;
  #last = Number.NEGATIVE_INFINITY;

  constructor(private readonly run: HandlerRun) {}

  async report(progress: number, total?: number, message?: string): Promise<void> {
    const send = this.run.reportProgress;
    if (this.over || send === undefined || !(progress > this.#last)) return;
    this.#last = progress;
    try {
      await send(progress, total, message);
    } catch (error) {
      this.run.log().debug({ err: error }, "progress notification failed");
    }
  }
}

/**
 * The call's time budget. It pauses while a question is out to the user (their thinking time is
 * not the tool's) and resumes with what was left of it.
 */
class Budget {
  deadline: number;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly run: HandlerRun,
    private readonly onExceeded: () => void,
  ) {
    this.deadline = run.started + run.timeoutMs;
    this.#timer = setTimeout(onExceeded, run.timeoutMs);
  }

  /** Stops the clock; returns the ms that were left. */
  pause(): number {
    clearTimeout(this.#timer);
    return Math.max(0, this.deadline - this.run.now());
  }

  /** Restarts the clock with `remaining` ms, unless the call has ended meanwhile. */
  resume(remaining: number): void {
    if (this.#stopped) return;
    this.deadline = this.run.now() + remaining;
    this.#timer = setTimeout(this.onExceeded, remaining);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}

function handlerContext(
  run: HandlerRun,
  abort: CallAbort,
  progress: ProgressGate,
  budget: Budget,
): ToolContext {
  const context: ToolContext = {
    referenceId: run.referenceId,
    get logger() {
      return run.log();
    },
    get signal() {
      return abort.signal;
    },
    principal: run.principal,
    get deadline() {
      return budget.deadline;
    },
    now: run.now,
    reportProgress: (value, total, message) => progress.report(value, total, message),
    async askUser(key, question) {
      const channel = run.userInput;
      if (channel === undefined || progress.over) return undefined;
      const remaining = budget.pause();
      try {
        return await channel.ask(key, question, context.signal);
      } catch (error) {
        // The call ends here to ask (stateless era): settle it now, whatever the handler does next.
        if (error instanceof AwaitingUserInput) abort.fire(error, false);
        throw error;
      } finally {
        budget.resume(remaining);
      }
    },
  };
  return context;
}

// A function, so TypeScript does not keep the narrowing of an earlier check across awaits.
function hasAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
