import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { loadConfig } from "../../config/load.js";
import { authStartupProblems } from "../../src/auth/exposure.js";

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
      services: Record<string, { environment?: Record<string, string>; ports?: string[] }>;
    };
    const services = Object.values(compose.services);
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
