# syntax=docker/dockerfile:1
#
# i-Industry Hub: one image for the API, the worker, the agency simulator and the CLI.
#
#   docker build -t i-industry-hub .
#   docker run --rm -p 4000:4000 -e DATABASE_URL=postgres://... -e REDIS_URL=redis://... i-industry-hub
#   docker run --rm -e DATABASE_URL=... -e REDIS_URL=... i-industry-hub node dist/src/main.js --role=worker
#   docker run --rm -e DATABASE_URL=... i-industry-hub node dist/src/cli.js client:create --name you --role analyst
#
# docker-compose.yml runs the whole stack (PostgreSQL, Redis, simulator, API, worker).
# Every setting is an environment variable listed in src/config/config.ts.

ARG NODE_IMAGE=node:22-bookworm-slim
# package-lock.json and package.json's `allowScripts` (install-script approvals) are npm 11's;
# Node 22 images ship npm 10, so the same npm as development is installed.
ARG NPM_VERSION=11.19.1

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS base
ARG NPM_VERSION
RUN npm install --global --no-audit --no-fund "npm@${NPM_VERSION}" \
 && npm cache clean --force
WORKDIR /app

# ---------------------------------------------------------------------------------------------
# Build: all dependencies, compile TypeScript to dist/.
FROM base AS build
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npx tsc -p tsconfig.build.json

# ---------------------------------------------------------------------------------------------
# Runtime: production dependencies and the compiled code only, running as the unprivileged `node` user.
FROM base AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    SIMULATOR_HOST=0.0.0.0
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
# Reference data (provinces, TSIC, target industries) is loaded by a migration at start-up.
COPY data/ ./data/
# HUB_DATA_DIR (.data) holds the embedded PostgreSQL when DATABASE_URL is unset: writable by `node`.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node

EXPOSE 4000
# Slim images have no curl: ask Node's fetch. Worker and simulator containers override this check
# (see docker-compose.yml), as they serve no /healthz on PORT.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# A 32 MB young generation: the API allocates many short-lived objects per request, and with
# V8's default the scavenger took about a third of its CPU under load (npm run bench:api). The old
# generation grows by 30 % of what survives a full collection, not V8's up to 4 times: under load
# its garbage took the API's peak RSS past 300 MB (docs/performance.md#memory-under-load).
CMD ["node", "--max-semi-space-size=32", "--heap-growing-percent=30", "dist/src/main.js", "--role=api"]
