import type { Logger } from "pino";
import type { z } from "zod";
import type { BatchResult, SuccessResult } from "../errors/handler-result.js";
import type { UserAnswer, UserQuestion } from "./user-input.js";

/** MCP tool annotations: hints for clients, never a security boundary. */
export interface ToolAnnotations {
  readonly readOnlyHint?: boolean;
  readonly destructiveHint?: boolean;
  readonly idempotentHint?: boolean;
  readonly openWorldHint?: boolean;
}

/** Who is calling: the MCP adapter derives it from the request's auth info. */
export interface Principal {
  readonly id: string;
  readonly permissions: ReadonlySet<string>;
  /** How the caller proved who it is (see src/auth); absent for principals built in code. */
  readonly authenticatedBy?: "api_key" | "oauth" | "anonymous";
  /** Which credential: the API key's id or the OAuth client's id — never the secret itself. */
  readonly credentialId?: string;
}

/** What the runner gives a handler for one call. */
export interface ToolContext {
  /** The call's reference id: in every error envelope and every log line of the call. */
  readonly referenceId: string;
  /** A child logger already carrying reference_id and tool. */
  readonly logger: Logger;
  readonly principal: Principal;
  /** Aborts on client cancellation or when the tool's time budget runs out: pass it to fetch, fs, etc. */
  readonly signal: AbortSignal;
  /** When the time budget runs out, in epoch ms of the runner's clock (it moves on while the user is asked). */
  readonly deadline: number;
  /** The runner's clock (epoch ms), e.g. to parse Retry-After dates. */
  readonly now: () => number;
  /** Sends a progress notification if the client asked for them; never throws, ignores non-increasing values. */
  reportProgress(progress: number, total?: number, message?: string): Promise<void>;
  /**
   * Asks the user `question` (see src/tools/user-input.ts). Resolves with the answer, or with
   * undefined when the client cannot be asked (it declared no elicitation support): the tool then
   * decides without the user, as it would have before. The time budget pauses while the user thinks.
   */
  askUser(key: string, question: UserQuestion): Promise<UserAnswer | undefined>;
}

/**
 * What a handler returns: plain data, `success(data, extras)` for degraded results or next
 * steps, or `runBatch(…)` for batch tools. To fail, it throws (a ToolError, or anything).
 */
export type ToolReturn<D, B> = D | SuccessResult<D> | BatchResult<B>;

/**
 * A tool: schema, description for the model, and handler. `output` describes `data` of the success
 * envelope; a batch tool gives `batch.item` instead, the schema of one item's result.
 */
export interface ToolDefinition<
  I extends z.ZodObject = z.ZodObject,
  O extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  /** 1–128 characters of A–Z, a–z, 0–9, "_", "-", "." (the MCP naming guidance). */
  readonly name: string;
  readonly title?: string;
  /** Written for a model: what it does, when to use it, what it returns. */
  readonly description: string;
  readonly annotations: ToolAnnotations;
  readonly input: I;
  readonly output?: O;
  readonly batch?: { readonly item: B; readonly itemKey?: string };
  /**
   * What one call spends of its caller's tool budget (RATE_LIMIT_TOOL_COST), from its valid
   * arguments: the items it works on (e.g. process_files: its paths). 1 when absent.
   */
  readonly cost?: (args: z.output<I>) => number;
  /**
   * The call mostly waits on something outside the process (a deployment's progress, an upstream
   * API) rather than working the event loop: it never queues behind its caller's other calls
   * (MAX_CONCURRENT_CALLS_PER_PRINCIPAL), so a caller's long waits cannot block its other calls.
   */
  readonly waitsOutside?: boolean;
  /** Time budget of one call; the runner's default otherwise. */
  readonly timeoutMs?: number;
  /** Attempts a caller should make in all before giving up on transient errors (default 3). */
  readonly maxAttempts?: number;
  /**
   * The handler writes all or nothing (one transaction): any failure before it returns left
   * nothing written, and the runner says so in every error envelope (`written: 0`).
   */
  readonly allOrNothing?: boolean;
  handler(args: z.output<I>, ctx: ToolContext): Promise<ToolReturn<z.input<O>, z.input<B>>>;
}

/** A tool of any schema, as the runner holds them. */
export type AnyToolDefinition = ToolDefinition;

const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * Declares a tool with its argument types inferred from `input` (and its data type from `output`).
 * Fails at start-up on a bad name or an empty description, not on the first call.
 */
export function defineTool<
  I extends z.ZodObject,
  O extends z.ZodType = z.ZodUnknown,
  B extends z.ZodType = z.ZodNever,
>(definition: ToolDefinition<I, O, B>): ToolDefinition<I, O, B> {
  if (!TOOL_NAME.test(definition.name)) {
    throw new Error(
      `Tool name "${definition.name}" must be 1-128 characters of A-Z, a-z, 0-9, "_", "-" or "."`,
    );
  }
  if (definition.description.trim().length === 0) {
    throw new Error(`Tool "${definition.name}" needs a description written for a model`);
  }
  if (definition.timeoutMs !== undefined && !(definition.timeoutMs > 0)) {
    throw new Error(`Tool "${definition.name}" has a timeoutMs that is not a positive number`);
  }
  return Object.freeze(definition);
}
