# The test stages' commands, shared by scripts/test.sh and scripts/test-repeat.sh so a repeat
# runs exactly what the suite runs. Sourced, not executed.

# No single test may run longer than this: a backstop behind each test's own deadlines, so a wait
# that slipped through fails by name instead of hanging the run.
TEST_TIMEOUT_MS=120000
NODE_TEST=(node --import tsx --test --test-timeout="$TEST_TIMEOUT_MS")

UNIT_HTTP_E2E_FILES=(test/unit/*.test.ts test/http/*.test.ts test/e2e/*.test.ts)
UNIT_HTTP_E2E_TESTS=("${NODE_TEST[@]}" --test-reporter=spec "${UNIT_HTTP_E2E_FILES[@]}")

# One file at a time: these tests measure timing and memory and spawn servers of their own.
RELIABILITY_TESTS=("${NODE_TEST[@]}" --test-reporter=spec --test-concurrency=1 test/reliability/*.test.ts)

# The operator's files against the real tools: promtool, a real Prometheus scraping a server,
# docker-compose for the observability profile. The Debian packages are installed when missing.
OBSERVABILITY_PACKAGES=(promtool:prometheus prometheus:prometheus docker-compose:docker-compose)
OBSERVABILITY_TESTS=("${NODE_TEST[@]}" --test-reporter=spec --test-concurrency=1 test/observability/*.test.ts)

# with_observability_tools COMMAND...: runs COMMAND once the packages above are there.
with_observability_tools() {
  bash scripts/ensure-debian-packages.sh "${OBSERVABILITY_PACKAGES[@]}" && "$@"
}
