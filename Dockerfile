# syntax=docker/dockerfile:1
# Node 24 (the active LTS) on Debian 13: its glibc 2.41 is what the native uWebSockets.js binary for Node 24
# needs (2.38 or newer; Debian 12 has 2.36). The steps are in scripts/docker/, so a test runs them without Docker.
FROM node:24-trixie-slim AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ ca-certificates && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY workers ./workers
COPY admin ./admin
# compiled by tsconfig.json's include (type-checked with the rest); left out of the production tree
COPY test ./test
COPY bench ./bench
RUN bash scripts/docker/build.sh /app

# Runtime stage: only what runs (scripts/docker/assemble.sh decides). ffmpeg converts voice notes.
FROM node:24-trixie-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3003 \
    DATA_DIR=/data
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg ca-certificates && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /data && chown node:node /data
WORKDIR /app
COPY --from=build --chown=node:node /app ./
USER node
VOLUME ["/data"]
EXPOSE 3003
# /healthz answers 503 once WhatsApp has been stuck past WA_READINESS_GRACE_MS. Plain Docker only marks
# the container unhealthy; an orchestrator (or a tool such as autoheal) is what restarts it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3003)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
