import type { RawTool } from "../raw-tool.js";
import { CONTENT_FIXTURE_TOOLS } from "./fixture-content-tools.js";
import { ELICITATION_FIXTURE_TOOLS } from "./fixture-elicitation-tools.js";
import { INPUT_REQUIRED_FIXTURE_TOOLS } from "./fixture-input-required-tools.js";
import { SAMPLING_FIXTURE_TOOL } from "./fixture-sampling-tool.js";
import { JSON_SCHEMA_2020_12_FIXTURE_TOOL } from "./fixture-schema-tool.js";
import { createStreamingFixtureTools } from "./fixture-streaming-tools.js";
import { ALLOW_ALL_LOG_LEVELS, type LogLevelGate } from "./log-level.js";

/** How the fixtures plug into the host server. */
export interface ConformanceFixtureOptions {
  /**
   * Filters test_tool_with_logging's messages by the session's `logging/setLevel`. Defaults to
   * sending everything, which is only correct if nothing else tracks levels.
   */
  readonly isLogLevelEnabled?: LogLevelGate;
}

/**
 * Every tool the conformance scenarios call. The tools hold no per-session state, so build the list
 * once and share it across sessions.
 */
export function createConformanceFixtureTools(options: ConformanceFixtureOptions = {}): RawTool[] {
  return [
    ...CONTENT_FIXTURE_TOOLS,
    ...createStreamingFixtureTools(options.isLogLevelEnabled ?? ALLOW_ALL_LOG_LEVELS),
    SAMPLING_FIXTURE_TOOL,
    ...ELICITATION_FIXTURE_TOOLS,
    ...INPUT_REQUIRED_FIXTURE_TOOLS,
    JSON_SCHEMA_2020_12_FIXTURE_TOOL,
  ];
}
