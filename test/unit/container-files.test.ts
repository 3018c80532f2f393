import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { loadConfig } from "../../config/load.js";
import { authStartupProblems } from "../../src/auth/exposure.js";
import { FORCED_EXIT_MARGIN_MS } from "../../src/lifecycle.js";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");

/**
 * No Docker engine runs here, so the container files are checked for what can be checked without
 * one: every file they copy exists, the command runs what the build produces, and the compose
 * environment is a configuration the server accepts.
 */
describe("Dockerfile and docker-compose.yml", () => {
  it("the Dockerfile copies files that exist and runs the built entry point", () => {
    const dockerfile = read("Dockerfile");
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) =>
      (match[1] ?? "").split(/\s+/),
    );
    assert.ok(sources.length > 0);
    for (const source of sources) assert.ok(existsSync(new URL(source, root)), `${source} exists`);
    const build = JSON.parse(read("tsconfig.build.json")) as { compilerOptions?: { outDir?: string } };
    const outDir = build.compilerOptions?.outDir ?? JSON.parse(read("tsconfig.json")).compilerOptions.outDir;
    assert.match(dockerfile, new RegExp(`CMD \\["node", "${outDir}/src/main.js"\\]`));
    assert.match(dockerfile, /^ENV AUTH_API_KEYS_FILE=\S+$/m, "the image ships with API keys");
    assert.ok(existsSync(new URL("src/main.ts", root)));
  });

  it("docker-compose.yml is valid YAML whose environment the server accepts", () => {
    const compose = parse(read("docker-compose.yml")) as {
      services: Record<string, { build?: unknown; environment?: Record<string, string>; ports?: string[] }>;
    };
    // The services built from this repository; Prometheus and Grafana are checked with deploy/.
    const services = Object.values(compose.services).filter((service) => service.build !== undefined);
    assert.ok(services.length > 0);
    for (const service of services) {
      const config = loadConfig(service.environment ?? {});
      assert.equal(config.host, "0.0.0.0", "a container must bind all interfaces");
      assert.ok(
        config.auth.apiKeysFile !== undefined || config.auth.oauth !== undefined,
        "callers authenticate",
      );
      assert.deepEqual(authStartupProblems(config.auth, config.host), []);
      assert.ok(
        service.ports?.some((port) => port.endsWith(`:${config.port}`)),
        "the port is published",
      );
    }
  });
});

describe("container build context, image and stop timeouts", () => {
  const dockerfile = read("Dockerfile");
  const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));

  it(".dockerignore keeps dependencies, history and data out, and nothing the Dockerfile copies", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"));
    for (const entry of ["**/node_modules", ".git", ".data", "dist"])
      assert.ok(ignored.includes(entry), entry);
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) =>
      (match[1] ?? "").split(/\s+/),
    );
    for (const source of copied) {
      assert.ok(
        !ignored.includes(source) && !ignored.includes(source.split("/")[0] ?? ""),
        `${source} is in the context`,
      );
    }
  });

  it("installs dependencies once and leaves compilers and the addon's build leftovers out of the runtime", () => {
    assert.equal(dockerfile.match(/npm ci/g)?.length, 1, "one npm ci, so the native addon is built once");
    assert.match(dockerfile, /npm prune --omit=dev/);
    assert.match(dockerfile, /better_sqlite3\.node/);
    assert.doesNotMatch(
      runtimeStage,
      /apt-get|g\+\+|python3|npm (ci|install)/,
      "the runtime stage installs nothing",
    );
    assert.match(runtimeStage, /COPY --from=build \/app\/node_modules/);
  });

  it("stops well within the stop timeouts: docker's default 10 s, compose's stop_grace_period", () => {
    const env = Object.fromEntries(
      [...runtimeStage.matchAll(/\b([A-Z_]+)=(\S+)/g)].map((match) => [match[1] ?? "", match[2] ?? ""]),
    );
    const image = loadConfig(env);
    const imageWorstMs = image.operations.shutdownDelayMs + image.shutdownGraceMs + FORCED_EXIT_MARGIN_MS;
    assert.ok(
      imageWorstMs <= 10_000 - 1000,
      `the image stops within ${imageWorstMs} ms of docker stop's 10 s`,
    );

    const compose = parse(read("docker-compose.yml")) as {
      services: Record<
        string,
        { build?: unknown; environment?: Record<string, string>; stop_grace_period?: string }
      >;
    };
    for (const service of Object.values(compose.services).filter((entry) => entry.build !== undefined)) {
      const config = loadConfig(service.environment ?? {});
      const worstMs = config.operations.shutdownDelayMs + config.shutdownGraceMs + FORCED_EXIT_MARGIN_MS;
      const graceMs = Number(/^(\d+)s$/.exec(service.stop_grace_period ?? "")?.[1] ?? 10) * 1000;
      assert.ok(
        worstMs + 2000 <= graceMs,
        `stop_grace_period ${graceMs} ms covers ${worstMs} ms with 2 s to spare`,
      );
    }
  });

  it("scripts/container-check.sh says clearly that it checked nothing when no engine is available", () => {
    const result = spawnSync("bash", ["scripts/container-check.sh"], {
      cwd: fileURLToPath(root),
      encoding: "utf8",
      env: { ...process.env, CONTAINER_ENGINES: "no-such-engine-a no-such-engine-b" },
      timeout: 30_000,
    });
    assert.equal(result.status, 2);
    assert.match(result.stdout, /NOT RUN — no container engine is available/);
    assert.match(result.stdout, /no-such-engine-a: not installed/);
    assert.match(result.stdout, /no-such-engine-b: not installed/);
  });
});
