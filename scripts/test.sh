#!/usr/bin/env bash
# The whole test suite, runnable on a fresh machine: installs what is missing (npm packages from
# the lockfile; Debian packages when a suite needs them), then lint, types, build, unit, HTTP and
# end-to-end tests, the reliability suite, and the official MCP conformance suite against the
# running server.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

echo "== lint and format"
npm run -s lint
echo "== typecheck"
npm run -s typecheck
echo "== build"
npm run -s build

echo "== unit, HTTP and end-to-end tests"
node --import tsx --test --test-reporter=spec test/unit/*.test.ts test/http/*.test.ts test/e2e/*.test.ts

echo "== reliability suite (soak, faults, hostile input; bounded in time)"
npm run -s test:reliability

echo "== MCP conformance suite"
bash scripts/conformance.sh
