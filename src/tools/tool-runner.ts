/*
 * Why this file is over 300 lines: it is the one path every call takes — validate, spend the
 * budgets, wait for the caller's turn, run with a deadline, check the result, shape, count and
 * log — kept in one place so the order of those steps is read top to bottom. Each step is a short
 * function; the parts with logic of their own live beside it (run-with-deadline.ts,
 * call-outcome.ts, tool-budget.ts, caller-turn.ts, step-guard.ts, unknown-tool-call.ts).
 */
import type { Logger } from "pino";
import type { ErrorType, ToolOutcome } from "../errors/catalog.js";
import { internalError } from "../errors/classify.js";
import type { Envelope } from "../errors/envelope.js";
import { newReferenceId } from "../errors/reference-id.js";
import { withRetryAdvice } from "../errors/retry-advice.js";
import { ToolError } from "../errors/tool-error.js";
import type { ToolFailure } from "../errors/tool-failure.js";
import { validationErrorFromZod } from "../errors/validation-error.js";
import type { CallerSlots } from "../limits/caller-slots.js";
import {
  toolCallMetrics,
  type ToolCallCounters,
  type ToolCallMetrics,
} from "../observability/tool-call-metrics.js";
import { auditFields } from "./audit-log.js";
import { batchOutcome, errorOutcome, successOutcome, type ShapedCall } from "./call-outcome.js";
import { parseQuietly } from "./parse-quietly.js";
import { waitForTurn } from "./caller-turn.js";
import { checkResult } from "./result-contract.js";
import { withinResultBytes } from "./result-size.js";
import { runWithDeadline } from "./run-with-deadline.js";
import { costOf, spendPostItems, spendToolBudget, type PostItems, type ToolBudget } from "./tool-budget.js";
import { unusableSteps, withoutUnusableSteps } from "./step-guard.js";
import type { AnyToolDefinition, Principal } from "./tool-definition.js";
import type { ToolListing } from "./tool-listing.js";
import { createToolRegistry, type RegisteredTool, type ToolRegistry } from "./tool-registry.js";
import { registeredOrThrow } from "./unknown-tool-call.js";
import { AwaitingUserInput, type UserInputChannel } from "./user-input.js";

/** What the runner needs; the clock and randomness are injectable for tests. */
export interface ToolRunnerOptions {
  readonly tools: readonly AnyToolDefinition[];
  readonly logger: Logger;
  readonly metrics: ToolCallCounters;
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
  /** Each principal's tool budget: a call spends its tool's cost before its handler runs. */
  readonly toolBudget?: ToolBudget;
  /** How many calls each caller may run at once, the rest queued; unbounded when absent. */
  readonly callerSlots?: CallerSlots;
  /** The items (tool cost) one POST may ask for in all; unbounded when absent. */
  readonly maxItemsPerPost?: number;
  /** The JSON bytes one call's result may have; unbounded when absent. */
  readonly maxResultBytes?: number;
}

/** What the protocol layer knows about the request carrying a call: the one call-context type. */
export interface CallContext {
  /** Aborted when the client cancels the request. */
  readonly signal: AbortSignal;
  /** Sends notifications/progress when the client gave a progress token. */
  readonly reportProgress?:
    ((progress: number, total?: number, message?: string) => Promise<void>) | undefined;
  /** Who calls; the runner's anonymous principal when absent. */
  readonly principal?: Principal | undefined;
  /** Whose tool budget the call spends (see quotaKeyOf); the principal's id when absent. */
  readonly quotaKey?: string | undefined;
  /** What the POST carrying the call asked for so far (its batch's calls added up). */
  readonly postItems?: PostItems | undefined;
  /** The HTTP request id, to tie the call's log line to the request's. */
  readonly requestId?: string | undefined;
  /** How to ask the user a question; absent when the client cannot be asked. */
  readonly userInput?: UserInputChannel | undefined;
}

/** The result of one call, free of SDK types; the protocol layer maps it to CallToolResult. */
export interface ToolCallOutcome {
  /** Goes to structuredContent and, as JSON, to the text content. */
  readonly envelope: Envelope;
  readonly isError: boolean;
  readonly errorType?: ErrorType;
  readonly outcome: ToolOutcome;
  readonly referenceId: string;
  /**
   * On failed calls: the machine-readable failure block (experimental), for the result's
   * `_meta[TOOL_FAILURE_META_KEY]`.
   */
  readonly failure?: ToolFailure;
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

/** What the runner holds for all calls. */
interface RunnerParts {
  readonly options: ToolRunnerOptions;
  readonly registry: ToolRegistry;
  readonly metrics: ToolCallMetrics;
  readonly now: () => number;
  readonly random: () => number;
}

/** What one call carries through its stages. */
interface CallState {
  readonly entry: RegisteredTool;
  readonly referenceId: string;
  readonly started: number;
  readonly log: () => Logger;
  readonly principal: Principal;
}

const ANONYMOUS: Principal = Object.freeze({ id: "anonymous", permissions: new Set<string>() });

/**
 * Builds the runner. Fails fast on duplicate names and on schemas JSON Schema cannot express, and
 * creates every {tool, outcome} and {tool, type} series at zero so rates exist before the first
 * error. The stages of a call live in their own modules: the registry (tool-registry), the run
 * under a deadline (run-with-deadline), the contract check (result-contract), the shaping of the
 * answer (call-outcome) and the last check of its steps (step-guard).
 */
export function createToolRunner(options: ToolRunnerOptions): ToolRunner {
  const registry = createToolRegistry(options.tools);
  const metrics = toolCallMetrics(options.metrics);
  metrics.declare(registry.names);
  const parts: RunnerParts = {
    options,
    registry,
    metrics,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
  };
  return {
    list: () => registry.listings,
    has: (name) => registry.has(name),
    call: (name, rawArgs, callContext) => callTool(parts, name, rawArgs, callContext),
  };
}

/** One call, start to end: settle it, check its steps, count it, log it once. */
async function callTool(
  parts: RunnerParts,
  name: string,
  rawArgs: unknown,
  callContext: CallContext,
): Promise<ToolCallOutcome> {
  const { options, registry, now } = parts;
  const started = now();
  const referenceId = newReferenceId(started);
  const principal = callContext.principal ?? options.anonymousPrincipal ?? ANONYMOUS;
  const entry = registeredOrThrow(
    { registry, metrics: parts.metrics, logger: options.logger },
    { name, referenceId, requestId: callContext.requestId, principalId: principal.id },
  );
  const bindings = {
    reference_id: referenceId,
    tool: name,
    ...(callContext.requestId === undefined ? {} : { request_id: callContext.requestId }),
  };
  // Most handlers never log, so the call's child logger is built only when one does.
  let child: Logger | undefined;
  const log = () => (child ??= options.logger.child(bindings));
  const state: CallState = { entry, referenceId, started, log, principal };

  const args = rawArgs ?? {};
  const validated = await validate(parts, state, args);
  let shaped =
    "refused" in validated
      ? validated.refused
      : ((await overBudget(parts, state, validated.valid, callContext)) ??
        (await inTurn(parts, state, validated.valid, callContext)));
  const stepProblems = unusableSteps(shaped.envelope, registry.stepTargets);
  if (stepProblems.length > 0) {
    shaped =
      options.strictSteps === true
        ? errorOutcome(unexecutableSteps(name, stepProblems), referenceId, now())
        : {
            ...shaped,
            envelope: withoutUnusableSteps(shaped.envelope, registry.stepTargets),
            level: "error",
          };
  }

  shaped = withinResultBytes(shaped, options.maxResultBytes, referenceId, now());
  parts.metrics.count(name, shaped.outcome, shaped.countedErrors);
  options.logger[shaped.level](
    {
      ...bindings,
      outcome: shaped.outcome,
      duration_ms: now() - started,
      principal: principal.id,
      ...auditFields(entry.tool, principal, "valid" in validated ? validated.valid : args),
      ...shaped.fields,
      ...(stepProblems.length > 0 ? { unusable_steps: stepProblems } : {}),
    },
    shaped.message,
  );
  return {
    envelope: shaped.envelope,
    isError: shaped.outcome === "error",
    ...(shaped.errorType === undefined ? {} : { errorType: shaped.errorType }),
    outcome: shaped.outcome,
    referenceId,
    ...(shaped.failure === undefined ? {} : { failure: shaped.failure }),
  };
}

/** The arguments as the tool's schema made them, or the answer to arguments it refused. */
type Validated = { readonly valid: Record<string, unknown> } | { readonly refused: ShapedCall };

/** Validates the arguments; a refinement or transform that throws still ends in an answer. */
async function validate(parts: RunnerParts, state: CallState, args: unknown): Promise<Validated> {
  const { tool, listing } = state.entry;
  try {
    const parsed = await parseQuietly(tool.input, args);
    if (parsed.success) return { valid: parsed.data };
    const context = { input: args, inputJsonSchema: listing.inputSchema, toolName: tool.name };
    return { refused: fail(parts, state, validationErrorFromZod(parsed.error, context), undefined) };
  } catch (error) {
    return { refused: fail(parts, state, internalError(error), undefined) };
  }
}

/**
 * Past its POST's item limit (validation_error) or over its caller's tool budget (rate_limited),
 * the call is answered so and its handler never runs.
 */
async function overBudget(
  parts: RunnerParts,
  state: CallState,
  args: Record<string, unknown>,
  callContext: CallContext,
): Promise<ShapedCall | undefined> {
  const { tool } = state.entry;
  const key = callContext.quotaKey ?? state.principal.id;
  const refusal =
    spendPostItems(callContext.postItems, costOf(tool, args), parts.options.maxItemsPerPost) ??
    (await spendToolBudget(parts.options.toolBudget, tool, args, key));
  return refusal === undefined ? undefined : fail(parts, state, refusal, args);
}

/**
 * Runs the call once one of its caller's slots is free (see CallerSlots); a call that mostly waits
 * outside the process (the tool's waitsOutside) runs at once.
 */
async function inTurn(
  parts: RunnerParts,
  state: CallState,
  args: Record<string, unknown>,
  callContext: CallContext,
): Promise<ShapedCall> {
  const slots = parts.options.callerSlots;
  if (slots === undefined || state.entry.tool.waitsOutside === true) {
    return execute(parts, state, args, callContext);
  }
  const timeoutMs = state.entry.tool.timeoutMs ?? parts.options.defaultTimeoutMs;
  const key = callContext.quotaKey ?? state.principal.id;
  const turn = await waitForTurn(slots, key, timeoutMs, callContext.signal);
  if ("refused" in turn) return fail(parts, state, turn.refused, args);
  try {
    return await execute(parts, state, args, callContext);
  } finally {
    turn.release();
  }
}

/** Runs the handler and checks its result; every way it can end becomes a shaped answer. */
async function execute(
  parts: RunnerParts,
  state: CallState,
  args: Record<string, unknown>,
  callContext: CallContext,
): Promise<ShapedCall> {
  const { tool } = state.entry;
  try {
    const settled = await runWithDeadline({
      tool,
      args,
      referenceId: state.referenceId,
      log: state.log,
      principal: state.principal,
      signal: callContext.signal,
      reportProgress: callContext.reportProgress,
      userInput: callContext.userInput,
      started: state.started,
      timeoutMs: tool.timeoutMs ?? parts.options.defaultTimeoutMs,
      now: parts.now,
    });
    if (settled.ok === "awaiting") {
      // Not an answer: the call ends to ask the user, and the client calls again with the answer.
      state.log().info({ duration_ms: parts.now() - state.started }, "tool call awaits the user's answer");
      throw settled.awaiting;
    }
    if (!settled.ok) return fail(parts, state, settled.error, args);
    const checked = await checkResult(tool, settled.value);
    if (checked.kind === "success") return successOutcome(checked.result);
    if (checked.kind === "batch") return batchOutcome(checked.batch, state.referenceId, parts.now());
    // The handler returned: an all-or-nothing tool may have written, so `written` is not claimed.
    return errorOutcome(checked.error, state.referenceId, parts.now());
  } catch (error) {
    if (error instanceof AwaitingUserInput) throw error;
    return fail(parts, state, internalError(error), args);
  }
}

/** A call that failed before its handler returned: retry advice, and `written: 0` if it applies. */
function fail(
  parts: RunnerParts,
  state: CallState,
  error: ToolError,
  args: Record<string, unknown> | undefined,
): ShapedCall {
  const { tool, takesAttempt } = state.entry;
  const advised = withRetryAdvice(error, {
    toolName: tool.name,
    takesAttempt,
    attempt: attemptOf(args),
    ...(tool.maxAttempts === undefined ? {} : { maxAttempts: tool.maxAttempts }),
    backoff: { jitter: "equal", random: parts.random },
  });
  const stated = tool.allOrNothing === true ? advised.with({ details: { written: 0 } }) : advised;
  return errorOutcome(stated, state.referenceId, parts.now());
}

function unexecutableSteps(tool: string, problems: readonly string[]): ToolError {
  return new ToolError("internal_error", `Tool ${tool} emitted steps that cannot be executed`, {
    cause: new Error(problems.join("; ")),
  });
}

function attemptOf(args: Record<string, unknown> | undefined): number {
  const attempt = args?.attempt;
  return typeof attempt === "number" && Number.isInteger(attempt) && attempt >= 1 ? attempt : 1;
}
