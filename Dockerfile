# syntax=docker/dockerfile:1
# Build stage: every dependency installed once (better-sqlite3's native addon is downloaded
# prebuilt when possible, compiled otherwise — the toolchain for that lives only here), the
# TypeScript compiled, then the dev dependencies pruned and the addon's build leftovers removed.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY config ./config
COPY routes ./routes
COPY src ./src
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund \
  && npm cache clean --force
# better-sqlite3 needs lib/ and build/Release/better_sqlite3.node at run time; its C sources,
# SQLite amalgamation and object files (about 26 MB) do not.
RUN cd node_modules/better-sqlite3 \
  && find . -mindepth 1 -maxdepth 1 ! -name lib ! -name build ! -name package.json ! -name LICENSE -exec rm -rf {} + \
  && find build -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} + \
  && find build/Release -mindepth 1 -maxdepth 1 ! -name better_sqlite3.node -exec rm -rf {} +

# Runtime: Node, the pruned dependencies and the compiled output only — no compiler, no sources,
# no build leftovers — as an unprivileged user.
FROM node:20-bookworm-slim
# Stopping: `docker stop` sends SIGTERM and kills after 10 s. The server stops within
# SHUTDOWN_DELAY_MS + SHUTDOWN_GRACE_MS + 3 s at worst (9 s with these values). Behind a load
# balancer, set SHUTDOWN_DELAY_MS (a few seconds) and raise the stop timeout to at least
# delay + grace + 5 s: `docker run --stop-timeout`, compose's stop_grace_period, or Kubernetes'
# terminationGracePeriodSeconds. docs/monitoring.md has the arithmetic.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/app/.data WORKSPACE_DIR=/app/workspace \
  SHUTDOWN_DELAY_MS=0 SHUTDOWN_GRACE_MS=6000
# Callers authenticate with API keys: mount a folder holding the keys file (hashes only) on
# /app/secrets. Create keys with `node dist/src/cli/keys.js create --file /app/secrets/api-keys.json
# --principal NAME --permissions ...` (see docs/auth.md). Without the file the server does not start;
# set AUTH_API_KEYS_FILE= and AUTH_ISSUER/PUBLIC_URL to use OAuth instead.
ENV AUTH_API_KEYS_FILE=/app/secrets/api-keys.json
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The sample workspace the file tools read (WORKSPACE_DIR), and the store's folder (DATA_DIR),
# writable by the unprivileged user; mount a volume on /app/.data to keep data across restarts.
COPY workspace ./workspace
RUN mkdir -p /app/.data && chown node:node /app/.data
VOLUME ["/app/.data"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# SIGTERM reaches node directly (no shell in between), so the server drains before it exits.
CMD ["node", "dist/src/main.js"]
