#!/usr/bin/env bash
# Builds the image and checks it as an operator would: starts a container, waits for it to be
# healthy and ready, calls one tool over MCP, checks the runtime image holds no compiler, stops it
# with SIGTERM and expects a clean exit within the stop timeout. Uses Docker, or Podman, whichever
# has a working engine. Not part of npm test (no engine runs on CI machines); run it by hand.
# Exit codes: 0 checked, 1 a check failed, 2 no container engine is available (nothing checked).
set -euo pipefail
cd "$(dirname "$0")/.."

# Candidates in order; CONTAINER_ENGINES overrides (e.g. "podman") for a choice or a test.
read -r -a candidates <<<"${CONTAINER_ENGINES:-docker podman}"
engine=""
reasons=()
for candidate in "${candidates[@]}"; do
  if ! command -v "$candidate" >/dev/null 2>&1; then
    reasons+=("$candidate: not installed")
  elif ! "$candidate" info >/dev/null 2>&1; then
    reasons+=("$candidate: installed, but its engine does not answer ('$candidate info' fails)")
  else
    engine=$candidate
    break
  fi
done
if [ -z "$engine" ]; then
  echo "container-check: NOT RUN — no container engine is available:"
  printf '  - %s\n' "${reasons[@]}"
  echo "Start Docker (or install Podman) and run scripts/container-check.sh again."
  exit 2
fi

image=resilient-mcp:container-check
name=resilient-mcp-check-$$
port=${CONTAINER_CHECK_PORT:-3999}
fail() {
  echo "container-check: FAILED — $*" >&2
  "$engine" logs "$name" 2>&1 | tail -20 >&2 || true
  exit 1
}
cleanup() { "$engine" rm -f "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "== $engine build"
"$engine" build -t "$image" . || fail "the image does not build"
echo "== image: $("$engine" image inspect "$image" --format '{{.Size}}') bytes"
if "$engine" run --rm --entrypoint sh "$image" -c 'command -v gcc || command -v g++ || command -v make || command -v python3'; then
  fail "the runtime image holds a compiler or build tool (listed above)"
fi

echo "== run on 127.0.0.1:$port"
"$engine" run -d --name "$name" -p "127.0.0.1:$port:3000" --stop-timeout 10 "$image" >/dev/null || fail "the container does not start"
ready=""
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$port/ready" >/dev/null 2>&1; then ready=yes; break; fi
  sleep 0.5
done
[ -n "$ready" ] || fail "/ready did not answer 200 within 30 s"

echo "== one tool call over MCP"
headers=(-H "content-type: application/json" -H "accept: application/json, text/event-stream" -H "host: localhost")
session=$(curl -fsS -D - -o /dev/null "${headers[@]}" "http://127.0.0.1:$port/mcp" \
  -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"container-check","version":"1"}}}' |
  tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id" {print $2}')
[ -n "$session" ] || fail "initialize gave no Mcp-Session-Id"
curl -fsS -o /dev/null "${headers[@]}" -H "mcp-session-id: $session" -H "mcp-protocol-version: 2025-11-25" \
  "http://127.0.0.1:$port/mcp" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}' || fail "initialized was refused"
answer=$(curl -fsS "${headers[@]}" -H "mcp-session-id: $session" -H "mcp-protocol-version: 2025-11-25" \
  "http://127.0.0.1:$port/mcp" -d '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_user","arguments":{"user_id":"1"}}}')
grep -q '"success":true' <<<"$answer" || fail "get_user did not succeed: $answer"

echo "== stop (SIGTERM)"
started=$SECONDS
"$engine" stop "$name" >/dev/null
status=$("$engine" inspect "$name" --format '{{.State.ExitCode}}')
[ "$status" = "0" ] || fail "the server exited with $status after SIGTERM (137 means it was killed)"
"$engine" logs "$name" 2>&1 | grep -q '"msg":"stopped"' || fail "no 'stopped' line in the log"
echo "container-check: OK ($engine; stopped cleanly in $((SECONDS - started)) s)"
