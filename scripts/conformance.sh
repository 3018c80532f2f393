#!/usr/bin/env bash
# Runs the official MCP conformance suite against the built server, started with its conformance
# fixtures on a free loopback port: what the 2025-11-25 revision requires (sessions) and what
# 2026-07-28 requires (stateless, on the same /mcp), then stops it with SIGTERM and checks that it
# drained and exited 0. Each run ends with a line "Scored (REVISION): N passed, M failed" counting
# only the checks the revision requires; the suite's own "Total" line also counts scenarios it runs
# without scoring (extensions such as tasks, and pending ones). The suite crashes on Node 20, so it
# runs on the Node 22 binary that its own folder (tools/conformance) installs from the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."

runner=tools/conformance
if [ ! -x "$runner/node_modules/.bin/node" ] || [ "$runner/package-lock.json" -nt "$runner/node_modules/.package-lock.json" ]; then
  npm ci --prefix "$runner" --no-audit --no-fund
fi
[ -f dist/src/main.js ] || npm run build

mode="${MCP_SESSION_MODE:-stateful}"
log=$(mktemp)
data_dir=$(mktemp -d)
DATA_DIR="$data_dir" PORT=0 HOST=127.0.0.1 LOG_LEVEL=info MCP_CONFORMANCE_FIXTURES=true MCP_SESSION_MODE="$mode" \
  node dist/src/main.js >"$log" 2>&1 &
server_pid=$!
cleanup() { kill "$server_pid" 2>/dev/null || true; rm -rf "$log" "$data_dir"; }
trap cleanup EXIT

port=""
for _ in $(seq 1 100); do
  port=$(grep -o '"port":[0-9]*' "$log" | head -1 | cut -d: -f2 || true)
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log"; echo "server exited before listening"; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { cat "$log"; echo "server did not start"; exit 1; }
echo "conformance: server pid $server_pid on port $port ($mode)"

# scored_checks LOG: the checks of the summary, less the scenarios listed as not scored.
scored_checks() {
  awk '
    /^=== SUMMARY ===/ { in_summary = 1; next }
    in_summary && /^(✓|✗) [^ ]+: [0-9]+ passed, [0-9]+ failed$/ {
      name = $2; sub(/:$/, "", name); passed[name] = $(NF - 3); failed[name] = $(NF - 1); next
    }
    /^Not scored for/ { in_unscored = 1; next }
    in_unscored && /^  [^ ]+ [^ ]+ \(/ { delete passed[$2]; delete failed[$2]; next }
    END { p = 0; f = 0; for (n in passed) { p += passed[n]; f += failed[n] } printf "%d passed, %d failed\n", p, f }
  ' "$1"
}

status=0
for revision in 2025-11-25 2026-07-28; do
  echo "conformance: --requirements $revision"
  run_log=$(mktemp)
  run_status=0
  timeout --kill-after=10 900 "$runner/node_modules/.bin/node" "$runner/node_modules/@modelcontextprotocol/conformance/dist/index.js" \
    server --url "http://localhost:$port/mcp" --requirements "$revision" 2>&1 | tee "$run_log" || run_status=$?
  echo "Scored ($revision): $(scored_checks "$run_log")"
  rm -f "$run_log"
  [ "$run_status" -ne 0 ] && status=$run_status
done

kill -TERM "$server_pid"
# The drain is bounded by SHUTDOWN_GRACE_MS; past 30 s the server is hung, not draining.
for _ in $(seq 1 300); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$server_pid" 2>/dev/null; then
  kill -KILL "$server_pid"; echo "server did not exit within 30 s of SIGTERM"; tail -20 "$log"; exit 1
fi
exit_code=0
wait "$server_pid" || exit_code=$?
trap - EXIT
if [ "$exit_code" -ne 0 ]; then
  echo "server exited with $exit_code after SIGTERM (expected 0)"; tail -20 "$log"; rm -f "$log"; exit 1
fi
grep -q '"msg":"stopped"' "$log" || { echo "server did not log a clean stop"; tail -20 "$log"; rm -f "$log"; exit 1; }
rm -rf "$log" "$data_dir"
exit "$status"
