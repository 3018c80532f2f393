#!/usr/bin/env bash
# npm run bench: installs the benchmark's own packages (autocannon, server-everything) from
# bench/package-lock.json when missing, builds the project when dist/ is missing or older than
# the sources, then runs every scenario (bench/main.ts) on 127.0.0.1 only. Takes about 6 minutes;
# BENCH_SECONDS, BENCH_ROUNDS and BENCH_SESSIONS shorten it for a smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."

bench=bench
if [ ! -d "$bench/node_modules/autocannon" ] || [ "$bench/package-lock.json" -nt "$bench/node_modules/.package-lock.json" ]; then
  npm ci --prefix "$bench" --no-audit --no-fund
fi
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
if [ ! -f dist/src/main.js ] || [ -n "$(find src config routes package.json -newer dist/src/main.js -print -quit)" ]; then
  npm run build
fi

exec node --import tsx "$bench/main.ts"
