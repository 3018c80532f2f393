import type { z } from "zod";

/**
 * Recovery steps and next steps that a model can execute as written. Two guards make that a
 * property rather than a hope:
 * - `stepTo(tool, …)` takes the tool's definition, so its parameters are type-checked against
 *   that tool's zod input at compile time;
 * - the tool runner checks every step it is about to send with `checkStep` against the tools it
 *   actually serves (the tool exists, the parameters validate), whoever built the step.
 */

/** What a step needs to know about a tool: its name and zod input schema. */
export interface StepTarget<I extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly input: I;
}

/** One tool call a step offers; a step with `options` lets the model choose one of them. */
export interface StepOption {
  readonly tool: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  /** As on ToolStep: parameters the model supplies itself. */
  readonly fill_in?: readonly string[];
  /** When to choose this option rather than another. */
  readonly description?: string;
}

/**
 * One action for the model: a tool call with its parameters, a choice between tool calls
 * (`options`, none of them preferred by position), or a plain instruction without a tool.
 */
export interface ToolStep {
  readonly action: string;
  readonly tool?: string;
  readonly parameters?: Readonly<Record<string, unknown>>;
  /**
   * Parameters the model must supply itself (for instance a name it learns from the previous
   * step). The given parameters plus these must make a valid call.
   */
  readonly fill_in?: readonly string[];
  /** Alternatives for this step: call exactly one of them. A step has `tool` or `options`, not both. */
  readonly options?: readonly StepOption[];
  readonly description?: string;
}

/** A numbered step of `error.recovery_steps`. */
export interface RecoveryStep extends ToolStep {
  readonly step: number;
}

/** A step calling `tool`; parameters are typed from the tool's input, minus the `fill_in` keys. */
export function stepTo<I extends z.ZodObject, K extends keyof z.input<I> & string = never>(
  tool: StepTarget<I>,
  spec: {
    readonly action: string;
    readonly parameters: Omit<z.input<I>, K>;
    readonly fill_in?: readonly K[];
    readonly description?: string;
  },
): ToolStep {
  return {
    action: spec.action,
    tool: tool.name,
    parameters: spec.parameters,
    ...(spec.fill_in && spec.fill_in.length > 0 ? { fill_in: [...spec.fill_in] } : {}),
    ...(spec.description === undefined ? {} : { description: spec.description }),
  };
}

/** One option of a choice step; parameters are typed from the tool's input, minus the `fill_in` keys. */
export function optionTo<I extends z.ZodObject, K extends keyof z.input<I> & string = never>(
  tool: StepTarget<I>,
  spec: {
    readonly parameters: Omit<z.input<I>, K>;
    readonly fill_in?: readonly K[];
    readonly description?: string;
  },
): StepOption {
  return {
    tool: tool.name,
    parameters: spec.parameters,
    ...(spec.fill_in && spec.fill_in.length > 0 ? { fill_in: [...spec.fill_in] } : {}),
    ...(spec.description === undefined ? {} : { description: spec.description }),
  };
}

/**
 * A step offering a choice of tool calls (`options`). With one option left (say the
 * caller may not cancel) it becomes a plain step calling that tool: a choice of one is no choice.
 */
export function choiceOf(action: string, options: readonly StepOption[], description?: string): ToolStep {
  const [only, ...rest] = options;
  if (only !== undefined && rest.length === 0) {
    return { action, ...only, ...(description === undefined ? {} : { description }) };
  }
  return { action, options: [...options], ...(description === undefined ? {} : { description }) };
}

/** A step without a tool: something to do or ask, such as waiting or asking the user for access. */
export function instruction(action: string, description?: string): ToolStep {
  return description === undefined ? { action } : { action, description };
}

/** Numbers steps from 1, as `recovery_steps` shows them. */
export function numberSteps(steps: readonly ToolStep[]): RecoveryStep[] {
  return steps.map((step, index) => ({ step: index + 1, ...withoutStepNumber(step) }));
}

function withoutStepNumber(step: ToolStep): ToolStep {
  const { action, tool, parameters, fill_in, options, description } = step;
  return {
    action,
    ...(tool === undefined ? {} : { tool }),
    ...(parameters === undefined ? {} : { parameters }),
    ...(fill_in === undefined ? {} : { fill_in }),
    ...(options === undefined ? {} : { options }),
    ...(description === undefined ? {} : { description }),
  };
}

/**
 * Why a step could not be executed as written, or undefined if it can: the tool must be one of
 * `tools`, and its parameters (with any `fill_in` keys left for the model) must validate. A choice
 * step is checked option by option.
 */
export function checkStep(step: ToolStep, tools: ReadonlyMap<string, StepTarget>): string | undefined {
  if (step.options !== undefined) {
    if (step.tool !== undefined || step.parameters !== undefined || step.fill_in !== undefined) {
      return "has both options and a tool call of its own";
    }
    if (step.options.length < 2) return "offers fewer than two options";
    const problems = step.options.flatMap((option, index) => {
      const problem = checkCall(option.tool, option.parameters, option.fill_in, tools);
      return problem === undefined ? [] : [`option ${index + 1} ${problem}`];
    });
    return problems.length === 0 ? undefined : problems.join("; ");
  }
  if (step.tool === undefined) {
    return step.parameters === undefined && step.fill_in === undefined
      ? undefined
      : "has parameters but names no tool";
  }
  return checkCall(step.tool, step.parameters, step.fill_in, tools);
}

function checkCall(
  tool: string,
  parameters: Readonly<Record<string, unknown>> | undefined,
  fill_in: readonly string[] | undefined,
  tools: ReadonlyMap<string, StepTarget>,
): string | undefined {
  const target = tools.get(tool);
  if (!target) return `names tool "${tool}", which this server does not serve`;
  const fillIn = fill_in ?? [];
  const shapeKeys = Object.keys(target.input.shape);
  const unknownFillIn = fillIn.filter((key) => !shapeKeys.includes(key));
  if (unknownFillIn.length > 0) return `fill_in names unknown parameters: ${unknownFillIn.join(", ")}`;
  const both = fillIn.filter((key) => parameters !== undefined && key in parameters);
  if (both.length > 0) return `gives and asks to fill in the same parameters: ${both.join(", ")}`;
  const parsed = target.input.safeParse(parameters ?? {});
  // The fill_in parameters are absent by design; every other issue makes the step unusable.
  const blocking = parsed.success
    ? []
    : parsed.error.issues.filter(
        (issue) => !(typeof issue.path[0] === "string" && fillIn.includes(issue.path[0])),
      );
  if (blocking.length === 0) return undefined;
  const issues = blocking.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
  return `parameters do not validate against ${tool}: ${issues.join("; ")}`;
}
