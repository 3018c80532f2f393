import { fetchApiDataTool } from "./fetch-api-data.js";
import { getWeatherTool } from "./get-weather.js";
import type { AnyToolDefinition } from "./tool-definition.js";
import type { ToolBackends } from "./tool-backends.js";

/** The tools that call upstream APIs: fetch_api_data (retry guidance) and get_weather (degradation). */
export function createNetworkTools(backends: ToolBackends): AnyToolDefinition[] {
  return [fetchApiDataTool(backends.upstream), getWeatherTool(backends.weather)];
}
