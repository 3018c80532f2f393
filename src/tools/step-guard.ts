import type { Envelope } from "../errors/envelope.js";
import { checkStep, type StepTarget, type ToolStep } from "../errors/recovery-steps.js";

/*
 * The last check on what a call is about to send: every recovery step and next step must name a
 * served tool with parameters that validate. Whoever built a step, one that cannot be executed
 * is a bug; the runner drops it (or fails the call, in strict mode) and logs it.
 */

/** Why each step of the envelope cannot be executed; empty when all can. */
export function unusableSteps(envelope: Envelope, targets: ReadonlyMap<string, StepTarget>): string[] {
  return emittedSteps(envelope).flatMap((step) => {
    const problem = checkStep(step, targets);
    return problem === undefined ? [] : [`"${step.action}" ${problem}`];
  });
}

/** The envelope without its unusable steps; recovery steps are renumbered from 1. */
export function withoutUnusableSteps(envelope: Envelope, targets: ReadonlyMap<string, StepTarget>): Envelope {
  const usable = (step: ToolStep) => checkStep(step, targets) === undefined;
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

function emittedSteps(envelope: Envelope): readonly ToolStep[] {
  if ("error" in envelope) return envelope.error.recovery_steps ?? [];
  if ("data" in envelope) return envelope.next_steps ?? [];
  return [];
}
