import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { createLogger } from "../../src/observability/logger.js";
import { createMetrics } from "../../src/observability/metrics.js";
import { defineTool, type AnyToolDefinition } from "../../src/tools/tool-definition.js";
import { createToolRunner } from "../../src/tools/tool-runner.js";
import { AwaitingUserInput, type UserAnswer, type UserInputChannel } from "../../src/tools/user-input.js";

/** ToolContext.askUser as the runner provides it, with channels standing in for the two eras. */

function runnerWith(tool: AnyToolDefinition) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: "debug",
    destination: {
      write(chunk: string) {
        for (const line of chunk.split("\n"))
          if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  });
  const metrics = createMetrics({ activeSessions: () => 0, defaultMetrics: false });
  return { runner: createToolRunner({ tools: [tool], logger, metrics, defaultTimeoutMs: 2_000 }), lines };
}

const question = {
  message: "Go ahead?",
  fields: { confirm: { type: "boolean" as const } },
  required: ["confirm"],
};

function askingTool(timeoutMs?: number) {
  return defineTool({
    name: "ask",
    description: "Asks the user, then says what they answered.",
    annotations: {},
    input: z.object({}),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    handler: async (_args, ctx) => {
      const answer = await ctx.askUser("go", question);
      return { answer: answer === undefined ? "not asked" : answer.action };
    },
  });
}

function answeringAfter(ms: number, answer: UserAnswer): UserInputChannel {
  return {
    ask: () =>
      new Promise((resolve) =>
        setTimeout(() => {
          resolve(answer);
        }, ms),
      ),
  };
}

describe("asking the user from a tool", () => {
  it("resolves undefined when the client cannot be asked, and the tool decides alone", async () => {
    const { runner } = runnerWith(askingTool());
    const outcome = await runner.call("ask", {}, { signal: new AbortController().signal });
    assert.deepEqual((outcome.envelope as { data: unknown }).data, { answer: "not asked" });
  });

  it("pauses the tool's time budget while the user thinks", async () => {
    const { runner } = runnerWith(askingTool(100));
    const outcome = await runner.call(
      "ask",
      {},
      {
        signal: new AbortController().signal,
        userInput: answeringAfter(300, { action: "accept", content: { confirm: true } }),
      },
    );
    assert.equal(outcome.isError, false, JSON.stringify(outcome.envelope));
    assert.deepEqual((outcome.envelope as { data: unknown }).data, { answer: "accept" });
  });

  it("the budget still bounds the tool's own work around the question", async () => {
    const slow = defineTool({
      name: "ask",
      description: "Asks, then works for too long.",
      annotations: {},
      input: z.object({}),
      timeoutMs: 100,
      handler: async (_args, ctx) => {
        await ctx.askUser("go", question);
        await new Promise((resolve) => setTimeout(resolve, 300));
        return {};
      },
    });
    const { runner } = runnerWith(slow);
    const outcome = await runner.call(
      "ask",
      {},
      {
        signal: new AbortController().signal,
        userInput: answeringAfter(10, { action: "decline" }),
      },
    );
    assert.equal(outcome.errorType, "timeout");
  });

  it("a channel that must end the call to ask ends it: the runner rethrows, aborts the handler and logs it", async () => {
    let handlerSignal: AbortSignal | undefined;
    const tool = defineTool({
      name: "ask",
      description: "Asks and records its signal.",
      annotations: {},
      input: z.object({}),
      handler: async (_args, ctx) => {
        handlerSignal = ctx.signal;
        await ctx.askUser("go", question);
        return {};
      },
    });
    const { runner, lines } = runnerWith(tool);
    const awaiting = new AwaitingUserInput("asking");
    await assert.rejects(
      runner.call(
        "ask",
        {},
        { signal: new AbortController().signal, userInput: { ask: () => Promise.reject(awaiting) } },
      ),
      (error: unknown) => error === awaiting,
    );
    assert.equal(handlerSignal?.aborted, true, "the handler was told to stop");
    assert.ok(lines.some((line) => line.msg === "tool call awaits the user's answer" && line.tool === "ask"));
  });
});
