/**
 * The series selectors of a PromQL expression (`name{matchers}`), found by their shape: enough to
 * ask a real Prometheus whether each selector matches something, which catches a metric or label
 * renamed in the code but not in a rule or a panel.
 */
export function seriesSelectors(expr: string): string[] {
  const found = new Set<string>();
  for (const match of expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^{}]*)\}/g)) found.add(match[0]);
  return [...found];
}

/** Grafana's variables, as the dashboard is read with instance "All" and a 5 minute rate window. */
export function withGrafanaVariables(expr: string): string {
  return expr.replaceAll("$__rate_interval", "5m").replaceAll("$instance", ".*");
}
