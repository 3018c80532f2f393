import { fetchApiDataTool } from "./fetch-api-data.js";
import { getWeatherTool } from "./get-weather.js";
import type { AnyToolDefinition } from "./tool-definition.js";
import type { ToolBackends } from "./tool-backends.js";

/** The tools that call upstream APIs: fetch_api_data (Pattern 2) and get_weather (Pattern 3). */
export function createNetworkTools(backends: ToolBackends): AnyToolDefinition[] {
  return [fetchApiDataTool(backends.upstream), getWeatherTool(backends.weather)];
}
