# syntax=docker/dockerfile:1
# Build stage: compile native modules (better-sqlite3) and the TypeScript sources.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ ca-certificates && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY workers ./workers
COPY admin ./admin
COPY scripts ./scripts
COPY test ./test
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

# Runtime stage: only what runs. ffmpeg converts voice notes.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3003 \
    DATA_DIR=/data
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg ca-certificates && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /data && chown node:node /data
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --chown=node:node admin/static ./admin/static
USER node
VOLUME ["/data"]
EXPOSE 3003
# /healthz answers 503 once WhatsApp has been stuck past WA_READINESS_GRACE_MS. Plain Docker only marks
# the container unhealthy; an orchestrator (or a tool such as autoheal) is what restarts it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3003)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
