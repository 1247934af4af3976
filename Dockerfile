# The liandong image: one image for the three distributed-mode processes; docker-compose.yml picks the command
# (`ingest`, `project` or `gateway`). TypeScript runs through tsx (a runtime dependency): no build step for the server.
# Node.js 24 LTS — the release the image is meant for; CI also tests 22 and the deprecated 20 (README "Node.js releases").
#
# Two stages. Building the web console needs the dev dependencies (vite, preact); running needs only the runtime
# ones. So the first stage installs everything and builds web/dist, and the image gets the runtime dependencies
# plus that web/dist.

# ---- the web console, built with all dependencies
FROM node:24-bookworm AS web
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (node web/build.mjs) needs the sources, which come next; no native module is used here
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN node web/build.mjs

# ---- the image
FROM node:24-bookworm
WORKDIR /app
ENV NODE_ENV=production

# dependencies first, so a source change does not reinstall them. --ignore-scripts: `prepare` would build the console
# (done above, without the sources here); better-sqlite3's install script is then run by `npm rebuild`: a prebuilt
# binary when one can be downloaded, else compiled against this image's own headers (/usr/local/include/node; the
# bookworm image has python3, make and g++)
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 --nodedir=/usr/local \
 && node -e 'new (require("better-sqlite3"))(":memory:").prepare("select 1").get()' \
 && npm cache clean --force

COPY . .
COPY --from=web /app/web/dist web/dist
# `liandong ingest` keeps a local data directory (SQLite fallback, rejections when only EVENTSTORE_URL is set)
RUN mkdir -p /app/data && chown node:node /app/data
USER node

# 4000: gateway (GraphQL, POST /v1/events, /healthz /readyz /metrics, the web console at /); 4001: projector,
# 4002: ingest (/healthz /readyz /metrics)
EXPOSE 4000 4001 4002
ENTRYPOINT ["node", "bin/liandong.mjs"]
CMD ["help"]
