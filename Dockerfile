# The liandong image: one image for the three distributed-mode processes; docker-compose.yml picks the command
# (`ingest`, `project` or `gateway`). TypeScript runs through tsx (a runtime dependency): no build step.
FROM node:20-bookworm

WORKDIR /app
ENV NODE_ENV=production

# dependencies first, so a source change does not reinstall them; better-sqlite3 builds from source when no
# prebuilt binary fits (the bookworm image has python3, make and g++)
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

COPY . .
# `liandong ingest` keeps a local data directory (SQLite fallback, rejections when only EVENTSTORE_URL is set)
RUN mkdir -p /app/data && chown node:node /app/data
USER node

# 4000: gateway (GraphQL, POST /v1/events, /healthz /readyz /metrics); 4001: projector, 4002: ingest (/healthz /readyz /metrics)
EXPOSE 4000 4001 4002
ENTRYPOINT ["node", "bin/liandong.mjs"]
CMD ["help"]
