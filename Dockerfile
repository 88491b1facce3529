# The cell-monitor collector (and the dashboard it serves). Build from the repository root:
#   docker build -t cell-monitor-collector .
# It runs as the unprivileged `node` user with its data in /var/lib/cell-monitor (a volume).
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY collector/package.json collector/
COPY dashboard/package.json dashboard/
COPY lab-extension/package.json lab-extension/
RUN npm ci --no-audit --no-fund
COPY tsconfig*.json ./
COPY shared shared
COPY collector collector
COPY dashboard dashboard
COPY migrations migrations
# The collector compiled (collector/dist: ES modules with source maps, as in its npm package), then
# the development dependencies (tsx, esbuild, TypeScript) left out of the image.
RUN npm run build:dashboard && npm run build -w collector && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8765 DATA_DIR=/var/lib/cell-monitor
WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /var/lib/cell-monitor && chown node:node /var/lib/cell-monitor
USER node
VOLUME ["/var/lib/cell-monitor"]
EXPOSE 8765
HEALTHCHECK --interval=10s --timeout=3s --retries=6 CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8765)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "collector/bin/cell-monitor-collector.mjs"]
CMD ["start"]
