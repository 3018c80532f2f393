/** The longest tool name MCP allows; anything longer cannot name a tool and is cut before use. */
const MAX_TOOL_NAME_LENGTH = 128;
/** How much of an unknown name is shown back: enough to recognise, short enough for one line. */
const SHOWN_NAME_LENGTH = 64;

/**
 * A call named a tool this server does not serve. This is a protocol error (JSON-RPC -32602),
 * not a tool result, so it is not a ToolError: the MCP layer answers with `code`, `message` and
 * `data` as they are. The name is user input: it is shown cleaned of control characters and cut
 * to 64 characters, never echoed raw.
 */
export class UnknownToolError extends Error {
  override readonly name = "UnknownToolError";
  /** JSON-RPC "Invalid params". */
  readonly code = -32602;
  /** The requested name as shown (cleaned, cut): safe to log and to send. */
  readonly toolName: string;
  /** Served tools whose names are nearest to the requested one, best first. */
  readonly similarTools: readonly string[];
  /** The call's reference id, under which the runner logged it; it goes into the error data. */
  readonly referenceId: string | undefined;

  constructor(requested: string, similarTools: readonly string[], referenceId?: string) {
    const shown = printable(requested);
    const hint =
      similarTools.length > 0 ? ` Did you mean: ${similarTools.map((name) => `"${name}"`).join(", ")}?` : "";
    super(`Unknown tool "${shown}".${hint} Call tools/list to see the tools this server offers.`);
    this.toolName = shown;
    this.similarTools = similarTools;
    this.referenceId = referenceId;
  }

  /** The JSON-RPC error's `data`: what a client or model can act on. */
  get data(): { tool: string; similar_tools: readonly string[]; suggestion: string; reference_id?: string } {
    const [best] = this.similarTools;
    return {
      tool: this.toolName,
      ...(this.referenceId === undefined ? {} : { reference_id: this.referenceId }),
      similar_tools: this.similarTools,
      suggestion:
        best === undefined
          ? "Call tools/list to see every tool this server offers."
          : `Call ${best} instead, or call tools/list to see every tool.`,
    };
  }
}

/** The part of a requested name worth comparing with tool names (for "did you mean"). */
export function comparableToolName(requested: string): string {
  return requested.slice(0, MAX_TOOL_NAME_LENGTH + 1);
}

// Control and format characters (newlines, bidi overrides) become "?" so a log line stays one line.
function printable(value: string): string {
  const cleaned = value.replace(/[\p{Cc}\p{Cf}]/gu, "?");
  return cleaned.length > SHOWN_NAME_LENGTH ? `${cleaned.slice(0, SHOWN_NAME_LENGTH)}…` : cleaned;
}
