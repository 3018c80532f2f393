import assert from "node:assert/strict";
import { classifyError } from "../../src/errors/classify.js";
import type { ToolError } from "../../src/errors/tool-error.js";

/** Awaits a call that must fail and returns its error as the error service classifies it. */
export async function classifiedRejection(call: Promise<unknown>): Promise<ToolError> {
  try {
    await call;
  } catch (error) {
    return classifyError(error);
  }
  assert.fail("expected the call to fail");
}
