import { Counter, Gauge, type Registry } from "prom-client";
import { CIRCUIT_STATES, type CircuitStateName } from "../backends/upstream/circuit.js";
import { UPSTREAM_OUTCOMES } from "../backends/upstream/outcomes.js";

/** What the breaker gauge reads at scrape time: each upstream client's name and circuit. */
export interface CircuitSource {
  readonly service: string;
  circuitState(): CircuitStateName;
}

/** The upstream families the composition root feeds. */
export interface UpstreamMetrics {
  /** upstream_requests_total{upstream_service, outcome}: one per attempt, outcome from a closed set. */
  readonly upstreamRequests: Counter<"upstream_service" | "outcome">;
  /** Creates every {upstream_service, outcome} series at zero, so rates exist before the first call. */
  declareService(service: string): void;
}

/**
 * upstream_requests_total and upstream_circuit_breaker_state{upstream_service, state}: 1 for the
 * state each circuit is in, 0 for the others (read at scrape time), so
 * `upstream_circuit_breaker_state{state="open"} == 1` selects the open circuits.
 */
export function upstreamMetrics(
  registry: Registry,
  circuits: () => readonly CircuitSource[],
): UpstreamMetrics {
  const upstreamRequests = new Counter({
    name: "upstream_requests_total",
    help: "Requests to upstream APIs by service and outcome (one per attempt, and one per call the open circuit refused)",
    labelNames: ["upstream_service", "outcome"],
    registers: [registry],
  });
  new Gauge({
    name: "upstream_circuit_breaker_state",
    help: "Circuit breaker state of each upstream service: 1 for the current state (closed, open, half_open), 0 for the others",
    labelNames: ["upstream_service", "state"],
    registers: [registry],
    collect() {
      for (const circuit of circuits()) {
        const current = circuit.circuitState();
        for (const state of CIRCUIT_STATES) {
          this.set({ upstream_service: circuit.service, state }, state === current ? 1 : 0);
        }
      }
    },
  });
  return {
    upstreamRequests,
    declareService(service) {
      for (const outcome of UPSTREAM_OUTCOMES)
        upstreamRequests.inc({ upstream_service: service, outcome }, 0);
    },
  };
}
