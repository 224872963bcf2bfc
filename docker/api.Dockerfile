# Distillery API image. Build from the repo root:
#   docker build -f docker/api.Dockerfile -t distillery-api .
# or use docker/compose.yml (API + PostgreSQL). Without DATABASE_URL the API uses embedded PGlite
# in /data. On first start with an empty database the admin token is written to /data/admin-token.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# onnxruntime-node's postinstall downloads CUDA libraries; the CPU libraries ship in the package.
ENV ONNXRUNTIME_NODE_INSTALL=skip \
    TURBO_TELEMETRY_DISABLED=1 \
    NEXT_TELEMETRY_DISABLED=1 \
    CI=true
COPY . .
RUN npm ci --no-audit --no-fund
# Build the API and the workspaces it depends on, then drop dev dependencies.
RUN npm run build -- --filter=@distillery/api... \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DISTILLERY_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app /app
# The named volume inherits this ownership, so the non-root user can write PGlite data and blobs.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/api/dist/main.js"]
