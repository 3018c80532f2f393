#!/usr/bin/env bash
# The whole test suite, runnable on a fresh machine: installs what is missing (npm packages from
# the lockfile; Debian packages when a suite needs them), then runs every stage — lint, types,
# build, unit/HTTP/end-to-end tests, the reliability suite, the alert rules and dashboard against
# a real Prometheus, the official MCP conformance suite —
# even after one fails, so a red stage never hides the others. One summary line per stage, then
# the whole run as "N passed, N failed"; the exit code is non-zero when any stage failed.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/test-stages.sh

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund || { echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }
fi

# Debian packages the suites drive for real: chromium (the browser-client e2e test). The package
# lists are fetched once, and only when something is missing.
apt_updated=no
ensure_debian_package() {
  local command=$1 package=$2
  command -v "$command" >/dev/null 2>&1 && return 0
  if [ "$apt_updated" = no ]; then apt-get update -qq && apt_updated=yes; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
}
ensure_debian_package chromium chromium || echo "could not install chromium; the browser-client test will fail"
# PostgreSQL's server binaries: the PostgreSQL store tests start their own temporary server
# (scripts/cluster/postgres-instance.ts). Debian keeps initdb off the PATH, hence the glob.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  bash scripts/ensure-debian-packages.sh initdb:postgresql ||
    echo "could not install postgresql; the PostgreSQL store tests will fail"
fi
# The cluster tests (test/reliability/cluster-*.test.ts) run redis-server and nginx (and PostgreSQL).
bash scripts/ensure-debian-packages.sh redis-server:redis-server nginx:nginx ||
  echo "could not install redis-server/nginx; the cluster test will fail"

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
summaries=()
total_passed=0
total_failed=0
failed_stages=0

# run_stage NAME COUNTER COMMAND...: runs COMMAND with its output shown and kept; COUNTER names
# how to count its checks (node_tests, conformance_checks, or one_check for lint/types/build).
run_stage() {
  local name=$1 counter=$2
  shift 2
  local log="$logs/${name// /_}.log" started=$SECONDS status=0
  echo "== $name"
  "$@" 2>&1 | tee "$log" || status=$?
  local passed failed
  read -r passed failed < <("$counter" "$log" "$status")
  [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  local verdict=ok
  if [ "$status" -ne 0 ]; then verdict="FAILED (exit $status)"; failed_stages=$((failed_stages + 1)); fi
  summaries+=("$(printf '%-28s %-16s %5s passed %4s failed %5ss' "$name" "$verdict" "$passed" "$failed" $((SECONDS - started)))")
}

# Counters: each prints "passed failed" for one stage's log.
one_check() { if [ "$2" -eq 0 ]; then echo "1 0"; else echo "0 1"; fi; }
node_tests() {
  local pass fail cancelled
  pass=$(grep -aoE '^ℹ pass [0-9]+' "$1" | awk '{s+=$3} END {print s+0}')
  fail=$(grep -aoE '^ℹ fail [0-9]+' "$1" | awk '{s+=$3} END {print s+0}')
  cancelled=$(grep -aoE '^ℹ cancelled [0-9]+' "$1" | awk '{s+=$3} END {print s+0}')
  echo "$pass $((fail + cancelled))"
}
# Counts the lines "Scored (REVISION): N passed, M failed" scripts/conformance.sh prints per run:
# only the checks a revision requires (the suite's "Total" also counts unscored extensions).
conformance_checks() {
  local pass fail
  pass=$(grep -aoE '^Scored \([^)]*\): [0-9]+ passed' "$1" | awk '{s+=$3} END {print s+0}')
  fail=$(grep -aoE '^Scored \([^)]*\): [0-9]+ passed, [0-9]+ failed' "$1" | awk '{s+=$5} END {print s+0}')
  echo "$pass $fail"
}

run_stage "lint and format" one_check npm run -s lint
run_stage "typecheck" one_check npm run -s typecheck
run_stage "build" one_check npm run -s build
run_stage "unit, HTTP and e2e tests" node_tests "${UNIT_HTTP_E2E_TESTS[@]}"
run_stage "reliability suite" node_tests "${RELIABILITY_TESTS[@]}"
run_stage "Prometheus rules, dashboard" node_tests with_observability_tools "${OBSERVABILITY_TESTS[@]}"
run_stage "MCP conformance suite" conformance_checks bash scripts/conformance.sh

echo
echo "== summary ($SECONDS s)"
printf '%s\n' "${summaries[@]}"
echo "$total_passed passed, $total_failed failed"
[ "$failed_stages" -eq 0 ]
