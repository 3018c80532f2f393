# syntax=docker/dockerfile:1
# Production dependencies. better-sqlite3 is a native addon: its prebuilt binary is used when it
# can be downloaded, otherwise it compiles, so the toolchain is here (and only in this stage).
FROM node:20-bookworm-slim AS deps
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# Build stage: compile TypeScript with the dev toolchain.
FROM deps AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY config ./config
COPY routes ./routes
COPY src ./src
RUN npm run build

# Runtime: production dependencies and the compiled output only, as an unprivileged user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/app/.data WORKSPACE_DIR=/app/workspace
# Callers authenticate with API keys: mount a folder holding the keys file (hashes only) on
# /app/secrets. Create keys with `node dist/src/cli/keys.js create --file /app/secrets/api-keys.json
# --principal NAME --permissions ...` (see docs/auth.md). Without the file the server does not start;
# set AUTH_API_KEYS_FILE= and AUTH_ISSUER/PUBLIC_URL to use OAuth instead.
ENV AUTH_API_KEYS_FILE=/app/secrets/api-keys.json
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
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
