# syntax=docker/dockerfile:1
# leakdex: `docker run IMAGE` serves the API (leakdex serve); `docker run IMAGE scan app.apk` scans for CI.
#   docker build -t leakdex .
#   docker run -d -p 8080:8080 -v leakdex-data:/data leakdex
#   docker run --rm -u "$(id -u):$(id -g)" -v "$PWD:/work" -w /work leakdex scan app-release.apk --format sarif --output leakdex.sarif

# --- build: compile TypeScript, then keep only production dependencies -----------------------------------------
# Node.js 24, the LTS line supported longest (leakdex supports 20, 22 and 24: .ci/run tests all three).
FROM node:24-bookworm-slim AS build
# better-sqlite3 is compiled from source when no prebuilt binary matches the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY decoders ./decoders
COPY rules ./rules
# Of tools/ (developer scripts) only the build steps that `npm run build` runs.
COPY tools/prune-dist.ts tools/bundle-worker.ts ./tools/
# test/ is not copied: tsc compiles only the shipped code; the build also bundles the scan worker (esbuild, a dev
# dependency, so before the prune).
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# --- runtime: node, the compiled code and production modules; runs as the unprivileged `node` user --------------
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    LEAKDEX_DATA_DIR=/data
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
RUN ln -s /app/bin/leakdex.js /usr/local/bin/leakdex \
 && mkdir -p /data \
 && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["leakdex"]
CMD ["serve"]
