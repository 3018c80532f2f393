#!/usr/bin/env bash
# Runs the unit/HTTP/e2e stage N times (default 10) and names every test that failed or was
# cancelled even once, with how often: a suite that passes "most of the time" fails here.
# Usage: npm run test:repeat -- N
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/test-stages.sh

runs=${1:-10}
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: npm run test:repeat -- N   (N: how many runs, a whole number >= 1)" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
red_runs=0
for run in $(seq 1 "$runs"); do
  started=$SECONDS
  status=0
  "${NODE_TEST[@]}" --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=./scripts/test-reporter-failures.mjs --test-reporter-destination="$work/failures-$run.txt" \
    "${UNIT_HTTP_E2E_FILES[@]}" >"$work/run-$run.log" 2>&1 || status=$?
  pass=$(grep -aoE '^ℹ pass [0-9]+' "$work/run-$run.log" | awk '{print $3}')
  bad=$(wc -l <"$work/failures-$run.txt")
  if [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; then
    # Red without a failing test (a crash outside any test, say): keep the output's tail.
    echo "run $run: exit $status without a failed test" >>"$work/failures-$run.txt"
    { echo "-- run $run, last lines:"; tail -20 "$work/run-$run.log"; } >>"$work/crashes.txt"
    bad=1
  fi
  [ "$status" -ne 0 ] && red_runs=$((red_runs + 1))
  echo "run $run/$runs: exit $status, ${pass:-0} passed, $bad failed or cancelled, $((SECONDS - started)) s"
done

echo
if cat "$work"/failures-*.txt | grep -q .; then
  echo "tests that failed or were cancelled at least once (count over $runs runs):"
  cat "$work"/failures-*.txt | sort | uniq -c | sort -rn
else
  echo "no test failed or was cancelled in $runs runs"
fi
[ -f "$work/crashes.txt" ] && cat "$work/crashes.txt"
echo "$((runs - red_runs)) passed, $red_runs failed"
[ "$red_runs" -eq 0 ]
