import type { DeploymentEngine } from "../backends/store/deployment-engine.js";
import type { Store } from "../backends/store/store.js";
import type { UpstreamClient } from "../backends/upstream/http-client.js";
import type { WeatherService } from "../backends/weather/weather-service.js";
import type { Workspace } from "../backends/workspace/index.js";

/** The real parts the product's tools work on, built by the composition root and passed in. */
export interface ToolBackends {
  readonly store: Store;
  readonly deployments: DeploymentEngine;
  readonly workspace: Workspace;
  /** The API behind fetch_api_data (UPSTREAM_BASE_URL). */
  readonly upstream: UpstreamClient;
  readonly weather: WeatherService;
}
