import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import { startFaultServer, type FaultServer } from "../helpers/fault-server.js";
import {
  OPERATOR_TEST_TOOLS,
  driveOperatorTraffic,
  operatorTrafficEnv,
  type TrafficReport,
} from "../helpers/operator-traffic.js";
import { seriesSelectors, withGrafanaVariables } from "../helpers/promql-selectors.js";
import { startPrometheus, type PromSample, type RunningPrometheus } from "../helpers/prometheus.js";
import { startServer, type RunningServer } from "../helpers/test-server.js";

/**
 * The alert rules and the dashboard, proven against a real Prometheus scraping a real server:
 * after traffic with successes, every error type, an unknown tool, an open circuit and refused
 * requests, every rule loads and evaluates, the alerts that must fire fire (with the labels an
 * on-call engineer reads), the others stay quiet, every selector matches scraped series, every
 * dashboard query returns series, and `promtool check metrics` accepts the exposition.
 */

const root = new URL("../../", import.meta.url);
const repoPath = (relative: string) => fileURLToPath(new URL(relative, root));

interface AlertRule {
  readonly alert: string;
  readonly expr: string;
}

function alertRules(): AlertRule[] {
  const file = parse(readFileSync(repoPath("deploy/prometheus/alerts.yml"), "utf8")) as {
    groups: { rules: AlertRule[] }[];
  };
  return file.groups.flatMap((group) => group.rules);
}

/** The shipped prometheus.yml, pointed at the test server, scraping and evaluating every second. */
function testConfig(server: RunningServer): string {
  const config = parse(readFileSync(repoPath("deploy/prometheus/prometheus.yml"), "utf8")) as {
    global: Record<string, unknown>;
    rule_files: string[];
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };
  config.global.scrape_interval = "1s";
  config.global.evaluation_interval = "1s";
  config.rule_files = config.rule_files.map((file) => repoPath(`deploy/prometheus/${file}`));
  const job = config.scrape_configs.find((scrape) => scrape.job_name === "resilient-mcp");
  assert.ok(job, "the shipped config scrapes job resilient-mcp");
  job.static_configs = [{ targets: [server.url.host] }];
  return stringify(config);
}

/** Alerts the traffic must make fire, with the labels that say where to look. */
const MUST_FIRE: Record<string, Record<string, string>[]> = {
  MCPInternalErrors: [{ gen_ai_tool_name: "always_fails" }],
  MCPUpstreamCircuitOpen: [{ upstream_service: "upstream-api" }],
  MCPAuthFailuresSpike: [{}],
};

describe("alert rules and dashboard against a real Prometheus", { timeout: 120_000 }, () => {
  let upstream: FaultServer;
  let server: RunningServer;
  let prometheus: RunningPrometheus;
  let traffic: TrafficReport;

  before(async () => {
    upstream = await startFaultServer();
    server = await startServer(operatorTrafficEnv(upstream), { extraTools: OPERATOR_TEST_TOOLS });
    prometheus = await startPrometheus(testConfig(server));
    // Two scrapes before the traffic: every counter is seen at zero, so increase() sees it all.
    await prometheus.waitFor(
      "two scrapes of the server",
      'count_over_time(up{job="resilient-mcp"}[1m]) >= 2 and up{job="resilient-mcp"} == 1',
    );
    traffic = await driveOperatorTraffic(server.url, upstream);
    await prometheus.waitFor(
      "the traffic in Prometheus",
      'mcp_tool_errors_total{job="resilient-mcp", gen_ai_tool_name="always_fails", error_type="internal_error"} > 0',
    );
    // Every sample of the last 3 s shows the traffic: rates over it have at least two points.
    await prometheus.waitFor(
      "three seconds of scrapes after the traffic",
      'min_over_time(mcp_tool_errors_total{job="resilient-mcp", gen_ai_tool_name="always_fails", error_type="internal_error"}[3s]) > 0',
    );
  });

  after(async () => {
    await prometheus?.close();
    await server?.close();
    await upstream?.close();
  });

  it("the traffic covered every error type the catalog can answer with", () => {
    for (const type of [
      "validation_error",
      "not_found",
      "permission_denied",
      "rate_limited",
      "external_service_error",
      "already_exists",
      "conflict",
      "timeout",
      "internal_error",
    ]) {
      assert.ok(traffic.types.has(type), `the traffic produced ${type}`);
    }
  });

  it("every rule loads and evaluates without error in Prometheus's rule engine", async () => {
    const response = await fetch(new URL("/api/v1/rules", prometheus.url), {
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as {
      data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
    };
    const loaded = body.data.groups.flatMap((group) => group.rules);
    assert.deepEqual(
      loaded.map((rule) => rule.name).sort(),
      alertRules()
        .map((rule) => rule.alert)
        .sort(),
    );
    for (const rule of loaded) assert.equal(rule.health, "ok", `${rule.name}: ${rule.lastError ?? ""}`);
  });

  it("the alerts the traffic calls for fire, with the labels that say where to look; the others stay quiet", async () => {
    for (const rule of alertRules()) {
      const samples = await prometheus.query(rule.expr);
      const expected = MUST_FIRE[rule.alert];
      if (expected === undefined) {
        assert.deepEqual(samples, [], `${rule.alert} stays quiet`);
        continue;
      }
      for (const labels of expected) {
        assert.ok(
          samples.some((sample) =>
            Object.entries(labels).every(([key, value]) => sample.metric[key] === value),
          ),
          `${rule.alert} fires with ${JSON.stringify(labels)}; got ${JSON.stringify(samples)}`,
        );
      }
      for (const sample of samples) {
        assert.equal(sample.metric.job, "resilient-mcp", `${rule.alert} keeps the job label`);
        assert.ok(sample.metric.instance, `${rule.alert} keeps the instance label`);
      }
    }
  });

  it("Prometheus's rule engine reports MCPInternalErrors firing", async () => {
    const alerts = await prometheus.waitFor(
      "MCPInternalErrors firing",
      'ALERTS{alertname="MCPInternalErrors", alertstate="firing", gen_ai_tool_name="always_fails"}',
    );
    assert.equal(alerts[0]?.metric.severity, "warning");
  });

  it("every selector of every rule and dashboard query matches series the server exports", async () => {
    const expressions = [
      ...alertRules().map((rule) => rule.expr),
      ...dashboardQueries().map((query) => query.expr),
    ];
    for (const selector of new Set(
      expressions.flatMap((expr) => seriesSelectors(withGrafanaVariables(expr))),
    )) {
      const matched = await prometheus.query(`count(${selector})`);
      assert.ok(matched.length > 0, `${selector} matches scraped series`);
    }
  });

  it("every dashboard query returns series, and the key panels show this traffic", async () => {
    const results = new Map<string, PromSample[]>();
    for (const { panel, expr } of dashboardQueries()) {
      const samples = await prometheus.query(withGrafanaVariables(expr));
      assert.ok(samples.length > 0, `panel "${panel}": ${expr} returns series`);
      results.set(`${panel}|${expr}`, [...(results.get(`${panel}|${expr}`) ?? []), ...samples]);
    }
    const ofPanel = (title: string) =>
      [...results.entries()].filter(([key]) => key.startsWith(`${title}|`)).flatMap(([, samples]) => samples);
    const labelValues = (title: string, label: string) =>
      new Set(ofPanel(title).map((sample) => sample.metric[label]));
    assert.ok(
      labelValues("Calls/s by tool", "gen_ai_tool_name").has("unknown"),
      "unknown tools are a series",
    );
    for (const type of traffic.types) {
      assert.ok(labelValues("Errors/s by type", "error_type").has(type), `Errors/s by type shows ${type}`);
    }
    assert.ok(labelValues("Errors/s by type", "error_type").has("cancelled"), "cancelled calls are counted");
    const breakers = ofPanel("Circuit breakers");
    assert.equal(
      breakers.find((sample) => sample.metric.upstream_service === "upstream-api")?.value,
      2,
      "open",
    );
    assert.equal(
      breakers.find((sample) => sample.metric.upstream_service === "weather-forecast")?.value,
      0,
      "closed",
    );
    assert.ok(
      labelValues(
        "Refused requests/s: auth (401, 403) and rate limits (429)",
        "http_response_status_code",
      ).has("403"),
    );
    assert.ok(
      labelValues("p95 latency by error type", "error_type").has("timeout"),
      "latency can be read by error type",
    );
    assert.deepEqual(
      ofPanel("Ready").map((sample) => sample.value),
      [1],
    );
  });

  it("the dashboard's instance variable lists the scraped instance", async () => {
    const dashboard = readDashboard();
    const variable = dashboard.templating.list.find((entry) => entry.name === "instance");
    const match = /^label_values\((.+), instance\)$/.exec(variable?.definition ?? "");
    assert.ok(match?.[1], "the variable is label_values(<selector>, instance)");
    const samples = await prometheus.query(match[1]);
    assert.deepEqual(
      samples.map((sample) => sample.metric.instance),
      [server.url.host],
    );
  });

  it("promtool check metrics accepts what /metrics exposes after the traffic", async () => {
    const text = await (
      await fetch(new URL("/metrics", server.url), { signal: AbortSignal.timeout(10_000) })
    ).text();
    // promtool exits non-zero and prints one line per problem; the output is checked too.
    const output = execFileSync("promtool", ["check", "metrics"], {
      input: text,
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(output.trim(), "");
  });
});

interface Dashboard {
  readonly panels: { title: string; type: string; targets?: { expr: string }[] }[];
  readonly templating: { list: { name: string; definition?: string }[] };
}

function readDashboard(): Dashboard {
  return JSON.parse(
    readFileSync(repoPath("deploy/grafana/dashboards/resilient-mcp.json"), "utf8"),
  ) as Dashboard;
}

function dashboardQueries(): { panel: string; expr: string }[] {
  return readDashboard().panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })),
  );
}
