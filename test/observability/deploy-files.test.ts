import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/**
 * The operator's files checked by the tools that read them: promtool (config, rules, the rules'
 * unit tests), docker-compose (the observability profile), and Grafana's provisioning formats as
 * far as they can be checked without a Grafana: the dashboard's datasource is the provisioned one,
 * and the provider reads the folder compose mounts the dashboards into.
 */

const root = fileURLToPath(new URL("../../", import.meta.url));
const read = (relative: string) => readFileSync(`${root}${relative}`, "utf8");

function promtool(...args: string[]): string {
  return execFileSync("promtool", args, { cwd: root, encoding: "utf8", timeout: 60_000 });
}

interface RuleTest {
  readonly alert_rule_test: { alertname: string; exp_alerts: unknown[] }[];
}

describe("deploy/prometheus", () => {
  it("promtool check config accepts prometheus.yml and finds its rule file", () => {
    assert.match(
      promtool("check", "config", "deploy/prometheus/prometheus.yml"),
      /SUCCESS: 1 rule files found/,
    );
  });

  it("promtool check rules accepts alerts.yml", () => {
    assert.match(promtool("check", "rules", "deploy/prometheus/alerts.yml"), /SUCCESS: \d+ rules found/);
  });

  it("promtool test rules passes", () => {
    assert.match(promtool("test", "rules", "deploy/prometheus/alerts.test.yml"), /SUCCESS/);
  });

  it("the unit tests show every alert firing and not firing", () => {
    const rules = (
      parse(read("deploy/prometheus/alerts.yml")) as { groups: { rules: { alert: string }[] }[] }
    ).groups
      .flatMap((group) => group.rules)
      .map((rule) => rule.alert);
    const tests = (parse(read("deploy/prometheus/alerts.test.yml")) as { tests: RuleTest[] }).tests.flatMap(
      (test) => test.alert_rule_test,
    );
    for (const alert of rules) {
      const cases = tests.filter((test) => test.alertname === alert);
      assert.ok(
        cases.some((test) => test.exp_alerts.length > 0),
        `${alert} is tested firing`,
      );
      assert.ok(
        cases.some((test) => test.exp_alerts.length === 0),
        `${alert} is tested not firing`,
      );
    }
    assert.deepEqual(
      [...new Set(tests.map((test) => test.alertname))].filter((name) => !rules.includes(name)),
      [],
      "no test names an alert that does not exist",
    );
  });
});

describe("deploy/grafana and the compose observability profile", () => {
  const compose = parse(read("docker-compose.yml")) as {
    services: Record<string, { profiles?: string[]; volumes?: string[]; image?: string }>;
  };

  it("docker-compose validates the file with the observability profile", (t) => {
    const probe = spawnSync("docker-compose", ["version"], { encoding: "utf8", timeout: 30_000 });
    if (probe.status !== 0) {
      t.skip("docker-compose is not installed (scripts/test.sh installs it)");
      return;
    }
    const result = spawnSync("docker-compose", ["--profile", "observability", "config", "-q"], {
      cwd: root,
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(result.status, 0, result.stderr);
  });

  it("the profile runs Prometheus and Grafana on the files of deploy/, pinned to a version", () => {
    for (const name of ["prometheus", "grafana"]) {
      const service = compose.services[name];
      assert.ok(service, `${name} is a service`);
      assert.deepEqual(service.profiles, ["observability"]);
      assert.match(service.image ?? "", /:v?\d+\.\d+\.\d+$/, `${name} image is pinned`);
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(":");
        if (source?.startsWith("./"))
          assert.ok(existsSync(`${root}${source.slice(2)}`), `${volume}: source exists`);
      }
    }
  });

  it("the dashboard uses the provisioned datasource, and the provider reads where compose mounts it", () => {
    const datasources = (
      parse(read("deploy/grafana/provisioning/datasources/prometheus.yml")) as {
        datasources: { uid: string; type: string; url: string }[];
      }
    ).datasources;
    assert.equal(datasources.length, 1);
    const [datasource] = datasources;
    assert.equal(datasource?.type, "prometheus");
    assert.equal(datasource?.url, "http://prometheus:9090", "the compose service name and port");

    const dashboard = JSON.parse(read("deploy/grafana/dashboards/resilient-mcp.json")) as {
      uid: string;
      panels: {
        type: string;
        title: string;
        datasource?: { uid: string };
        targets?: { datasource?: { uid: string } }[];
      }[];
    };
    const panels = dashboard.panels.filter((panel) => panel.type !== "row");
    assert.ok(panels.length > 10);
    for (const panel of panels) {
      assert.equal(
        panel.datasource?.uid,
        datasource?.uid,
        `panel "${panel.title}" uses the provisioned datasource`,
      );
      assert.ok((panel.targets ?? []).length > 0, `panel "${panel.title}" has queries`);
      for (const target of panel.targets ?? []) assert.equal(target.datasource?.uid, datasource?.uid);
    }
    assert.equal(new Set(panels.map((panel) => panel.title)).size, panels.length, "panel titles are unique");

    const providers = (
      parse(read("deploy/grafana/provisioning/dashboards/resilient-mcp.yml")) as {
        providers: { options: { path: string } }[];
      }
    ).providers;
    const mounts = compose.services.grafana?.volumes ?? [];
    for (const provider of providers) {
      assert.ok(
        mounts.some(
          (mount) =>
            mount.startsWith("./deploy/grafana/dashboards:") && mount.includes(`:${provider.options.path}`),
        ),
        `compose mounts the dashboards at ${provider.options.path}`,
      );
    }
    assert.ok(
      mounts.some((mount) => mount.startsWith("./deploy/grafana/provisioning:/etc/grafana/provisioning")),
    );
  });
});
