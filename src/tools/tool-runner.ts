import { stdSerializers, type Logger } from "pino";
import { aggregateBatch } from "../errors/batch.js";
import {
  ERROR_CATALOG,
  ERROR_TYPES,
  TOOL_OUTCOMES,
  defaultSuggestion,
  type ErrorType,
  type ToolOutcome,
} from "../errors/catalog.js";
import { classifyError, internalError } from "../errors/classify.js";
import { errorEnvelope, successEnvelope, type Envelope } from "../errors/envelope.js";
import {
  isBatchResult,
  isSuccessResult,
  success,
  type BatchItemOutcome,
  type BatchResult,
  type ComponentFailure,
  type SuccessResult,
} from "../errors/handler-result.js";
import { checkStep, type StepTarget, type ToolStep } from "../errors/recovery-steps.js";
import { newReferenceId } from "../errors/reference-id.js";
import { retryGuidance } from "../errors/retry-guidance.js";
import { findSimilar } from "../errors/similar-matches.js";
import { ToolError } from "../errors/tool-error.js";
import { cancelled, timedOut } from "../errors/transient-errors.js";
import { UnknownToolError } from "../errors/unknown-tool-error.js";
import { validationErrorFromZod } from "../errors/validation-error.js";
import type { Metrics } from "../observability/metrics.js";
import { auditFields } from "./audit-log.js";
import type { AnyToolDefinition, Principal, ToolContext } from "./tool-definition.js";
import { parseQuietly } from "./parse-quietly.js";
import { toolListing, type ToolListing } from "./tool-listing.js";
import { AwaitingUserInput, type UserInputChannel } from "./user-input.js";

/** What the runner needs; the clock and randomness are injectable for tests. */
export interface ToolRunnerOptions {
  readonly tools: readonly AnyToolDefinition[];
  readonly logger: Logger;
  readonly metrics: Pick<Metrics, "toolCalls" | "toolErrors">;
  readonly defaultTimeoutMs: number;
  /** Epoch ms; Date.now by default. */
  readonly now?: () => number;
  /** [0, 1) for backoff jitter; Math.random by default. */
  readonly random?: () => number;
  /** Used when a call carries no principal (no auth configured); has no permissions by default. */
  readonly anonymousPrincipal?: Principal;
  /**
   * When a tool emits a recovery or next step that cannot be executed (unknown tool, parameters
   * that do not validate): false (default) drops the step and logs the bug at error level; true
   * fails the call as internal_error, which is what tests want.
   */
  readonly strictSteps?: boolean;
}

/** What the MCP adapter knows about the request carrying the call. */
export interface CallContext {
  /** Aborted when the client cancels the request. */
  readonly signal: AbortSignal;
  /** Sends notifications/progress when the client gave a progress token. */
  readonly reportProgress?: (progress: number, total?: number, message?: string) => Promise<void>;
  readonly principal?: Principal;
  /** The HTTP request id, to tie the call's log line to the request's. */
  readonly requestId?: string;
  /** How to ask the user a question; absent when the client cannot be asked. */
  readonly userInput?: UserInputChannel;
}

/** The result of one call, free of SDK types; the adapter maps it to CallToolResult. */
export interface ToolCallOutcome {
  /** Goes to structuredContent and, as JSON, to the text content. */
  readonly envelope: Envelope;
  readonly isError: boolean;
  readonly errorType?: ErrorType;
  readonly outcome: ToolOutcome;
  readonly referenceId: string;
}

/** The tool runner: every tool gets validation, deadline, classification, logging, metrics, masking. */
export interface ToolRunner {
  /** tools/list entries, computed once at construction. */
  list(): readonly ToolListing[];
  has(name: string): boolean;
  /**
   * Runs a tool. Never rejects for tool failures; throws UnknownToolError for unknown names, and
   * the channel's AwaitingUserInput when the call ends to ask the user (the stateless era).
   */
  call(name: string, rawArgs: unknown, callContext: CallContext): Promise<ToolCallOutcome>;
}

interface Registered {
  readonly tool: AnyToolDefinition;
  readonly listing: ToolListing;
  readonly takesAttempt: boolean;
}

type Settled =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: ToolError }
  | { readonly ok: "awaiting"; readonly awaiting: AwaitingUserInput };

interface Finished {
  readonly envelope: Envelope;
  readonly outcome: ToolOutcome;
  readonly errorType?: ErrorType;
  /** Errors to count in mcp_tool_errors_total (one per failed batch item). */
  readonly countedErrors: readonly ErrorType[];
  readonly level: "debug" | "info" | "warn" | "error";
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

const ANONYMOUS: Principal = Object.freeze({ id: "anonymous", permissions: new Set<string>() });

/**
 * Builds the runner. Fails fast on duplicate names and on schemas JSON Schema cannot express, and
 * creates every {tool, outcome} and {tool, type} series at zero so rates exist before the first
 * error.
 */
export function createToolRunner(options: ToolRunnerOptions): ToolRunner {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const registry = new Map<string, Registered>();
  for (const tool of options.tools) {
    if (registry.has(tool.name)) throw new Error(`Two tools are named "${tool.name}"`);
    registry.set(tool.name, {
      tool,
      listing: toolListing(tool),
      takesAttempt: "attempt" in tool.input.shape,
    });
  }
  const listings = Object.freeze([...registry.values()].map((entry) => entry.listing));
  const stepTargets: ReadonlyMap<string, StepTarget> = new Map(
    [...registry.values()].map(({ tool }) => [tool.name, tool] as const),
  );
  for (const name of registry.keys()) {
    for (const outcome of TOOL_OUTCOMES) options.metrics.toolCalls.inc({ tool: name, outcome }, 0);
    for (const type of ERROR_TYPES) options.metrics.toolErrors.inc({ tool: name, type }, 0);
  }

  async function call(name: string, rawArgs: unknown, callContext: CallContext): Promise<ToolCallOutcome> {
    const entry = registry.get(name);
    if (!entry) throw new UnknownToolError(name, findSimilar(name, registry.keys(), { limit: 3 }));
    const { tool, listing } = entry;
    const started = now();
    const referenceId = newReferenceId(started);
    const bindings = {
      reference_id: referenceId,
      tool: name,
      ...(callContext.requestId === undefined ? {} : { request_id: callContext.requestId }),
    };
    // Most handlers never log, so the call's child logger is built only when one does.
    let child: Logger | undefined;
    const log = () => (child ??= options.logger.child(bindings));
    const principal = callContext.principal ?? options.anonymousPrincipal ?? ANONYMOUS;
    const args = rawArgs ?? {};

    let validArgs: unknown;
    let finished: Finished;
    try {
      // Inside try, because a refinement or transform that throws is a bug that must still end
      // in an envelope and a log line.
      const parsed = await parseQuietly(tool.input, args);
      validArgs = parsed.success ? parsed.data : undefined;
      const settled: Settled = parsed.success
        ? await execute(entry, parsed.data, { referenceId, log, principal, callContext, started })
        : {
            ok: false,
            error: validationErrorFromZod(parsed.error, {
              input: args,
              inputJsonSchema: listing.inputSchema,
              toolName: name,
            }),
          };
      if (settled.ok === "awaiting") {
        options.logger.info(
          { ...bindings, duration_ms: now() - started },
          "tool call awaits the user's answer",
        );
        throw settled.awaiting;
      }
      finished = settled.ok
        ? await finishSuccess(entry, settled.value, referenceId)
        : finishError(entry, settled.error, referenceId, validArgs);
    } catch (error) {
      if (error instanceof AwaitingUserInput) throw error;
      finished = finishError(entry, internalError(error), referenceId, validArgs);
    }
    const stepProblems = checkEmittedSteps(finished.envelope);
    if (stepProblems.length > 0 && options.strictSteps === true) {
      finished = finishError(
        entry,
        new ToolError("internal_error", `Tool ${name} emitted steps that cannot be executed`, {
          cause: new Error(stepProblems.join("; ")),
        }),
        referenceId,
        validArgs,
      );
    } else if (stepProblems.length > 0) {
      finished = { ...finished, envelope: dropBadSteps(finished.envelope), level: "error" };
    }

    options.metrics.toolCalls.inc({ tool: name, outcome: finished.outcome });
    for (const type of finished.countedErrors) options.metrics.toolErrors.inc({ tool: name, type });
    options.logger[finished.level](
      {
        ...bindings,
        outcome: finished.outcome,
        duration_ms: now() - started,
        principal: principal.id,
        ...auditFields(tool, principal, validArgs ?? args),
        ...finished.fields,
        ...(stepProblems.length > 0 ? { unusable_steps: stepProblems } : {}),
      },
      finished.message,
    );
    return {
      envelope: finished.envelope,
      isError: finished.outcome === "error",
      ...(finished.errorType === undefined ? {} : { errorType: finished.errorType }),
      outcome: finished.outcome,
      referenceId,
    };
  }

  interface Execution {
    readonly referenceId: string;
    readonly log: () => Logger;
    readonly principal: Principal;
    readonly callContext: CallContext;
    readonly started: number;
  }

  /** Runs the handler under the deadline and the client's signal; never rejects. */
  async function execute(
    entry: Registered,
    args: Record<string, unknown>,
    execution: Execution,
  ): Promise<Settled> {
    const { tool } = entry;
    const { callContext, log } = execution;
    if (callContext.signal.aborted) return { ok: false, error: cancelled(callContext.signal.reason) };
    const timeoutMs = tool.timeoutMs ?? options.defaultTimeoutMs;
    // The call ends at whichever comes first, the deadline or the client's cancel. The handler's
    // AbortSignal is built only if the handler reads ctx.signal: most never do, and an
    // AbortController (with AbortSignal.any to join two) costs more than the rest of the runner.
    let controller: AbortController | undefined;
    let abortReason: Error | undefined;
    const deadline = { passed: false };
    // A handler that ignores its signal must not hold the call: the abort settles it, and the
    // handler's late outcome is only logged.
    let stopWaiting: (reason: Error) => void = () => undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      stopWaiting = reject;
    });
    aborted.catch(() => undefined);
    const abort = (reason: Error, byDeadline: boolean) => {
      if (abortReason !== undefined) return;
      abortReason = reason;
      deadline.passed = byDeadline;
      controller?.abort(reason);
      stopWaiting(reason);
    };
    const onDeadline = () => {
      abort(new DOMException(`${tool.name} exceeded its ${timeoutMs} ms budget`, "TimeoutError"), true);
    };
    let deadlineAt = execution.started + timeoutMs;
    let timer = setTimeout(onDeadline, timeoutMs);
    // Restarts the budget with what was left of it, unless the call has ended meanwhile.
    const rearm = (remaining: number) => {
      if (over) return;
      deadlineAt = now() + remaining;
      timer = setTimeout(onDeadline, remaining);
    };
    const forwardCancel = () => {
      const reason: unknown = callContext.signal.reason;
      abort(reason instanceof Error ? reason : new Error("aborted"), false);
    };
    callContext.signal.addEventListener("abort", forwardCancel, { once: true });
    let over = false;
    let lastProgress = Number.NEGATIVE_INFINITY;
    const ctx: ToolContext = {
      referenceId: execution.referenceId,
      get logger() {
        return log();
      },
      get signal() {
        if (controller === undefined) {
          controller = new AbortController();
          if (abortReason !== undefined) controller.abort(abortReason);
        }
        return controller.signal;
      },
      principal: execution.principal,
      get deadline() {
        return deadlineAt;
      },
      now,
      async reportProgress(progress, total, message) {
        // MCP requires increasing progress, and nothing may be sent after the result.
        if (over || !callContext.reportProgress || !(progress > lastProgress)) return;
        lastProgress = progress;
        try {
          await callContext.reportProgress(progress, total, message);
        } catch (error) {
          log().debug({ err: error }, "progress notification failed");
        }
      },
      async askUser(key, question) {
        const channel = callContext.userInput;
        if (channel === undefined || over) return undefined;
        // The user's thinking time is not the tool's: the budget pauses while the question is out.
        const remaining = Math.max(0, deadlineAt - now());
        clearTimeout(timer);
        try {
          return await channel.ask(key, question, ctx.signal);
        } catch (error) {
          // The call ends here to ask (stateless era): settle it now, whatever the handler does next.
          if (error instanceof AwaitingUserInput) abort(error, false);
          throw error;
        } finally {
          rearm(remaining);
        }
      },
    };

    const running = (async () => tool.handler(args, ctx))();
    running.catch((error: unknown) => {
      if (over) log().debug({ err: error }, "handler failed after the call had ended");
    });
    try {
      return { ok: true, value: await Promise.race([running, aborted]) };
    } catch (error) {
      if (error instanceof AwaitingUserInput) return { ok: "awaiting", awaiting: error };
      if (deadline.passed) return { ok: false, error: timedOutWithHint(timeoutMs, error) };
      if (hasAborted(callContext.signal)) return { ok: false, error: cancelled(error) };
      return { ok: false, error: classifyError(error) };
    } finally {
      over = true;
      clearTimeout(timer);
      callContext.signal.removeEventListener("abort", forwardCancel);
    }
  }

  async function finishSuccess(entry: Registered, value: unknown, referenceId: string): Promise<Finished> {
    const { tool } = entry;
    if (isBatchResult(value)) {
      if (!tool.batch) {
        return finishError(
          entry,
          contractBreach(tool.name, "returned a batch but declares no batch schema"),
          referenceId,
        );
      }
      return finishBatch(await checkBatchItems(tool, value), referenceId);
    }
    if (tool.batch) {
      return finishError(
        entry,
        contractBreach(tool.name, "declares a batch schema but returned no batch"),
        referenceId,
      );
    }
    const result: SuccessResult<unknown> = isSuccessResult(value) ? value : success(value);
    let data = result.data;
    if (tool.output) {
      const checked = await parseQuietly(tool.output, data);
      if (!checked.success) {
        return finishError(
          entry,
          contractBreach(tool.name, "returned data its output schema rejects", checked.error),
          referenceId,
        );
      }
      data = checked.data;
    }
    const envelope = successEnvelope({ ...result, data });
    const degraded = result.degraded === true;
    return {
      envelope,
      outcome: degraded ? "degraded" : "success",
      countedErrors: [],
      level: degraded ? "warn" : "info",
      message: degraded ? "tool call degraded" : "tool call succeeded",
      fields: degraded ? { degraded_components: failureFields(result.failures ?? []) } : {},
    };
  }

  function finishBatch(batch: BatchResult<unknown>, referenceId: string): Finished {
    const { envelope, failures } = aggregateBatch(batch, referenceId);
    const types = failures.map(({ error }) => error.type);
    const allFailed = failures.length > 0 && envelope.summary.succeeded === 0;
    const outcome: ToolOutcome = allFailed ? "error" : failures.length > 0 ? "degraded" : "success";
    const internal = types.includes("internal_error");
    const fields = {
      summary: envelope.summary,
      item_errors: failures.map(({ item, error }) => ({
        item,
        error_type: error.type,
        ...(error.type === "internal_error"
          ? { err: serializeCause(error) }
          : { cause: briefCause(error.cause) }),
      })),
    };
    return {
      envelope,
      outcome,
      ...(allFailed ? { errorType: mostFrequent(types) } : {}),
      countedErrors: types,
      level: internal ? "error" : failures.length > 0 ? "warn" : "info",
      message: `batch finished: ${envelope.summary.succeeded}/${envelope.summary.total} succeeded`,
      fields,
    };
  }

  function finishError(entry: Registered, error: ToolError, referenceId: string, args?: unknown): Finished {
    const guided = withRetryGuidance(entry, error, args);
    const envelope = errorEnvelope(guided, referenceId);
    const common = {
      error_type: guided.type,
      error_code: guided.code,
      ...(guided.details.kind === undefined ? {} : { kind: guided.details.kind }),
      ...(guided.details.service === undefined ? {} : { service: guided.details.service }),
      ...(guided.details.status_code === undefined ? {} : { status_code: guided.details.status_code }),
    };
    const internal = guided.type === "internal_error";
    return {
      envelope,
      outcome: "error",
      errorType: guided.type,
      countedErrors: [guided.type],
      // Cancellation is the client's choice, not a failure anyone must look at.
      level: internal ? "error" : guided.type === "cancelled" ? "info" : "warn",
      message: `tool call failed: ${guided.type}`,
      fields: internal
        ? { ...common, err: serializeCause(guided) }
        : {
            ...common,
            error_message: guided.message,
            // A validation error's cause is the ZodError: its message restates error_message as
            // pretty-printed JSON, and building it costs more than the rest of the line.
            ...(guided.type === "validation_error" ? {} : { cause: briefCause(guided.cause) }),
          },
    };
  }

  /** Adds `retry` to types that can be retried, counting attempts when the tool takes `attempt`. */
  function withRetryGuidance(entry: Registered, error: ToolError, args: unknown): ToolError {
    if (error.details.retry !== undefined || ERROR_CATALOG[error.type].retryable === false) return error;
    const attempt = attemptOf(args);
    const guidance = retryGuidance({
      retryable: error.retryable,
      attempt,
      ...(entry.tool.maxAttempts === undefined ? {} : { maxAttempts: entry.tool.maxAttempts }),
      ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
      backoff: { jitter: "equal", random },
    });
    const own = error.suggestion;
    let suggestion: string;
    if (guidance.should_retry) {
      const attemptHint =
        entry.takesAttempt && guidance.next_attempt !== undefined
          ? ` with attempt=${guidance.next_attempt}`
          : "";
      const wait = guidance.retry_after_seconds ?? 0;
      const when = wait === 0 ? "Call" : `Wait ${wait} second${wait === 1 ? "" : "s"}, then call`;
      suggestion = `${when} ${entry.tool.name} again${attemptHint}.${own === undefined ? "" : ` ${own}`}`;
    } else if (error.retryable) {
      suggestion = `Do not retry now: ${guidance.reason ?? "attempts are used up."} Tell the user the operation is unavailable for the moment.`;
    } else {
      suggestion = own ?? defaultSuggestion(error.type, error.details.kind);
    }
    return error.with({ details: { retry: guidance }, suggestion });
  }

  async function checkBatchItems(
    tool: AnyToolDefinition,
    batch: BatchResult<unknown>,
  ): Promise<BatchResult<unknown>> {
    const item = tool.batch?.item;
    if (!item) return batch;
    const outcomes = await Promise.all(
      batch.outcomes.map(async (outcome): Promise<BatchItemOutcome<unknown>> => {
        if (!outcome.ok) return outcome;
        const checked = await parseQuietly(item, outcome.result);
        return checked.success
          ? { ...outcome, result: checked.data }
          : {
              ok: false,
              item: outcome.item,
              error: contractBreach(tool.name, "returned an item its batch schema rejects", checked.error),
            };
      }),
    );
    return { ...batch, outcomes };
  }

  function checkEmittedSteps(envelope: Envelope): string[] {
    return emittedSteps(envelope).flatMap((step) => {
      const problem = checkStep(step, stepTargets);
      return problem === undefined ? [] : [`"${step.action}" ${problem}`];
    });
  }

  function dropBadSteps(envelope: Envelope): Envelope {
    const usable = (step: ToolStep) => checkStep(step, stepTargets) === undefined;
    if ("error" in envelope && envelope.error.recovery_steps) {
      const kept = envelope.error.recovery_steps
        .filter(usable)
        .map((step, index) => ({ ...step, step: index + 1 }));
      const { recovery_steps: _dropped, ...rest } = envelope.error;
      return { ...envelope, error: kept.length > 0 ? { ...rest, recovery_steps: kept } : rest };
    }
    if ("data" in envelope && envelope.next_steps) {
      const kept = envelope.next_steps.filter(usable);
      const { next_steps: _dropped, ...rest } = envelope;
      return kept.length > 0 ? { ...rest, next_steps: kept } : rest;
    }
    return envelope;
  }

  return {
    list: () => listings,
    has: (name) => registry.has(name),
    call,
  };
}

function emittedSteps(envelope: Envelope): readonly ToolStep[] {
  if ("error" in envelope) return envelope.error.recovery_steps ?? [];
  if ("data" in envelope) return envelope.next_steps ?? [];
  return [];
}

// A function, so TypeScript does not keep the narrowing of an earlier check across awaits.
function hasAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

function attemptOf(args: unknown): number {
  if (typeof args !== "object" || args === null || !("attempt" in args)) return 1;
  const attempt = args.attempt;
  return typeof attempt === "number" && Number.isInteger(attempt) && attempt >= 1 ? attempt : 1;
}

function timedOutWithHint(timeoutMs: number, cause: unknown): ToolError {
  return timedOut(timeoutMs, cause).with({
    suggestion: "If it times out again, ask for less at once (fewer items, a narrower range).",
  });
}

/** A tool broke its own declared contract: a programmer error, so internal and masked. */
function contractBreach(tool: string, what: string, cause?: unknown): ToolError {
  return internalError(new Error(`Tool ${tool} ${what}`, cause === undefined ? undefined : { cause }));
}

function serializeCause(error: ToolError): unknown {
  const original = error.cause instanceof Error ? error.cause : error;
  return stdSerializers.err(original);
}

// Operational causes are logged without a stack: their message (a path, a status) is what a
// human needs, and a stack for every not_found would drown the log.
function briefCause(cause: unknown): Record<string, unknown> | undefined {
  if (cause === undefined) return undefined;
  if (!(cause instanceof Error)) return { value: typeof cause === "string" ? cause : typeof cause };
  const code = (cause as { code?: unknown }).code;
  return {
    name: cause.name,
    message: cause.message,
    ...(typeof code === "string" || typeof code === "number" ? { code } : {}),
  };
}

function failureFields(failures: readonly ComponentFailure[]): unknown[] {
  return failures.map(({ component, error }) => {
    const classified = classifyError(error);
    return {
      component,
      error_type: classified.type,
      ...(classified.type === "internal_error"
        ? { err: serializeCause(classified) }
        : { cause: briefCause(error) }),
    };
  });
}

function mostFrequent(types: readonly ErrorType[]): ErrorType {
  const counts = new Map<ErrorType, number>();
  for (const type of types) counts.set(type, (counts.get(type) ?? 0) + 1);
  let best: ErrorType = "internal_error";
  let bestCount = 0;
  for (const [type, count] of counts) {
    if (count > bestCount) {
      best = type;
      bestCount = count;
    }
  }
  return best;
}
