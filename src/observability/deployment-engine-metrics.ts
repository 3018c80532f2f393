import { Counter, Gauge, type Registry } from "prom-client";

/** The deployment engine's families. */
export interface DeploymentEngineMetrics {
  /** deployment_engine_failures_total: a step (start or finish of a deployment) failed to write. */
  readonly deploymentEngineFailures: Counter;
}

/**
 * deployment_engine_failures_total, and deployment_engine_stalled_deployments (read at scrape
 * time): deployments whose next step gave up after its retries and waits for the store to heal.
 */
export function deploymentEngineMetrics(
  registry: Registry,
  stalledDeployments: () => number,
): DeploymentEngineMetrics {
  new Gauge({
    name: "deployment_engine_stalled_deployments",
    help: "Deployments whose next step failed all its tries and waits for the store to accept writes again",
    registers: [registry],
    collect() {
      this.set(stalledDeployments());
    },
  });
  return {
    deploymentEngineFailures: new Counter({
      name: "deployment_engine_failures_total",
      help: "Failed steps of the deployment engine (a state transition the store did not accept)",
      registers: [registry],
    }),
  };
}
