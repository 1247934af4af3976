# The liandong image: one image for the three distributed-mode processes; docker-compose.yml picks the command
# (`ingest`, `project` or `gateway`). It runs compiled JavaScript (`node dist/infra/cli/run.js`), no TypeScript loader.
# Node.js 24 LTS — the release the image is meant for; CI also tests 22 and the deprecated 20 (README "Node.js releases").
#
# Two stages. Building needs the dev dependencies (typescript, vite, preact); running needs only the runtime ones.
# The first stage runs `npm run build` (scripts/build.mjs: TypeScript → dist/, the console → web/dist) — the same
# script CI runs in a clean clone and then starts the way this image starts (scripts/image-check.sh).

# ---- build: all dependencies, then the one build script
FROM node:24-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (the console build) needs the sources, which come next; nothing native is built here
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

# ---- the image
FROM node:24-bookworm
WORKDIR /app
ENV NODE_ENV=production

# dependencies first, so a source change does not reinstall them. --ignore-scripts: `prepare` would build the console
# (done above); better-sqlite3's install script is then run by `npm rebuild`: a prebuilt binary when one can be
# downloaded, else compiled against this image's own headers (/usr/local/include/node; bookworm has python3, make, g++)
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 --nodedir=/usr/local \
 && node -e 'new (require("better-sqlite3"))(":memory:").prepare("select 1").get()' \
 && npm cache clean --force

COPY --from=build /app/dist dist
COPY --from=build /app/web/dist web/dist
# `liandong ingest` keeps a local data directory (SQLite fallback, rejections when only EVENTSTORE_URL is set)
RUN mkdir -p /app/data && chown node:node /app/data
USER node

# 4000: gateway (GraphQL, POST /v1/events, /healthz /readyz /metrics, the web console at /); 4001: projector,
# 4002: ingest (/healthz /readyz /metrics). Logs: one JSON object per line on stdout (no terminal).
EXPOSE 4000 4001 4002
ENTRYPOINT ["node", "dist/infra/cli/run.js"]
CMD ["help"]
