import type { RawTool } from "../raw-tool.js";
import type { LogLevelGate } from "./log-level.js";
import { NO_ARGUMENTS, pause, textResult } from "./tool-support.js";

// The scenarios ask for ~50 ms between messages so the client observes them arriving during the call.
const STEP_MS = 50;

const LOG_MESSAGES = ["Tool execution started", "Tool processing data", "Tool execution completed"] as const;

/**
 * Sends three info log notifications. The 2025 scenarios call it test_tool_with_logging; the
 * stateless-era scenario calls it test_logging_tool, and checks that nothing reaches a client
 * whose request named no log level.
 */
function loggingTool(allows: LogLevelGate, name: string): RawTool {
  return {
    definition: {
      name,
      description: "Conformance fixture: sends three info log notifications ~50 ms apart while it runs.",
      inputSchema: NO_ARGUMENTS,
    },
    async call(_args, extra) {
      let sent = 0;
      for (const [index, data] of LOG_MESSAGES.entries()) {
        if (index > 0) await pause(STEP_MS, extra);
        if (!allows("info", extra)) continue;
        // sendNotification ties the message to this request, so Streamable HTTP delivers it on the
        // call's own stream instead of the standalone GET stream the client may not have opened yet.
        await extra.sendNotification({
          method: "notifications/message",
          params: { level: "info", logger: name, data },
        });
        sent += 1;
      }
      return textResult(`Logging fixture finished after sending ${sent} log notification(s).`);
    },
  };
}

const progressTool: RawTool = {
  definition: {
    name: "test_tool_with_progress",
    description: "Conformance fixture: reports progress 0, 50 and 100 of 100 when given a progress token.",
    inputSchema: NO_ARGUMENTS,
  },
  async call(_args, extra) {
    const progressToken = extra._meta?.progressToken;
    for (const [index, progress] of [0, 50, 100].entries()) {
      if (index > 0) await pause(STEP_MS, extra);
      // Without a token the client never asked for progress; the spec forbids unsolicited updates.
      if (progressToken === undefined) continue;
      await extra.sendNotification({
        method: "notifications/progress",
        params: { progressToken, progress, total: 100 },
      });
    }
    return textResult("Progress fixture finished at 100 of 100.");
  },
};

// Long enough for the transport to finish tearing the stream down before the result is produced, so
// the result must travel through the event store and a Last-Event-ID resume.
const AFTER_CLOSE_MS = 100;

const reconnectionTool: RawTool = {
  definition: {
    name: "test_reconnection",
    description:
      "Conformance fixture (SEP-1699): closes its SSE stream mid-call, then answers; the client gets the result by resuming with Last-Event-ID.",
    inputSchema: NO_ARGUMENTS,
  },
  async call(_args, extra) {
    // Undefined unless the transport has an event store and the client speaks 2025-11-25 or later
    // (older clients got no priming event id, so they could never resume); then we just answer.
    const closed = extra.closeSSEStream !== undefined;
    extra.closeSSEStream?.();
    await pause(AFTER_CLOSE_MS, extra);
    return textResult(
      closed
        ? "Reconnection fixture finished after closing its stream; this result was delivered on resume."
        : "Reconnection fixture finished without closing its stream (the transport cannot resume this call).",
    );
  },
};

/** Tools that send notifications or manipulate their stream while the call is in flight. */
export function createStreamingFixtureTools(allows: LogLevelGate): RawTool[] {
  return [
    loggingTool(allows, "test_tool_with_logging"),
    loggingTool(allows, "test_logging_tool"),
    progressTool,
    reconnectionTool,
  ];
}
