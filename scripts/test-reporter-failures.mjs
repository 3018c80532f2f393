// A node:test reporter that writes one line per failed or cancelled test: "file › suite › test:
// failure type". scripts/test-repeat.sh collects these lines over many runs to name flaky tests.
// Plain JavaScript: node loads reporters before tsx's loader is in place.
import { relative } from "node:path";
import process from "node:process";

/**
 * Yields one line per failed test; a suite that failed only because a test inside it failed is
 * skipped (the test has its own line).
 * @param {AsyncIterable<{type: string, data: any}>} source the test runner's events
 */
export default async function* failedTests(source) {
  // The names of the open suites, per file: files run in parallel and their events interleave.
  const suitesByFile = new Map();
  for await (const event of source) {
    if (event.type === "test:start") {
      const suites = suitesByFile.get(event.data.file) ?? [];
      suites[event.data.nesting] = event.data.name;
      suitesByFile.set(event.data.file, suites);
      continue;
    }
    if (event.type !== "test:fail") continue;
    const { name, nesting, file, details } = event.data;
    const failureType = details?.error?.failureType ?? "testCodeFailure";
    if (failureType === "subtestsFailed") continue;
    const path = [...(suitesByFile.get(file) ?? []).slice(0, nesting), name].join(" › ");
    const where = file === undefined ? "" : `${relative(process.cwd(), file)} › `;
    yield `${where}${path}: ${failureType}\n`;
  }
}
