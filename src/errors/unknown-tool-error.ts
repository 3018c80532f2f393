/**
 * A call named a tool this server does not serve. This is a protocol error (JSON-RPC -32602),
 * not a tool result, so it is not a ToolError: the MCP adapter turns it into the JSON-RPC error
 * and may put `similarTools` in its data.
 */
export class UnknownToolError extends Error {
  override readonly name = "UnknownToolError";
  /** JSON-RPC "Invalid params". */
  readonly code = -32602;
  readonly toolName: string;
  /** The name cleaned of control characters and capped: safe to log and to show. */
  readonly shownName: string;
  readonly similarTools: readonly string[];
  /** The call's reference id, under which the runner logged it; the adapter puts it in the error data. */
  readonly referenceId: string | undefined;

  constructor(toolName: string, similarTools: readonly string[], referenceId?: string) {
    const shown = printable(toolName);
    const hint =
      similarTools.length > 0 ? ` Did you mean: ${similarTools.map((name) => `"${name}"`).join(", ")}?` : "";
    super(`Unknown tool "${shown}".${hint} Call tools/list to see the tools this server offers.`);
    this.toolName = toolName;
    this.shownName = shown;
    this.similarTools = similarTools;
    this.referenceId = referenceId;
  }
}

// The name is user input: keep the message short and free of control characters.
function printable(value: string): string {
  const cleaned = value.replace(/[\p{Cc}\p{Cf}]/gu, "?");
  return cleaned.length > 64 ? `${cleaned.slice(0, 64)}…` : cleaned;
}
