# The CPIM gateway as a container image (docs/deployment.md, "Container").
#
#   docker build -t cpim-gateway .
#   podman build --format docker -t cpim-gateway .   (podman's default OCI format drops HEALTHCHECK)
#
# Three stages: `build` compiles with every dependency and packs exactly what package.json's
# `files` ships; `deps` installs the production dependencies from the lockfile and compiles the
# one native module (better-sqlite3, the store's SQLite backend); the last stage holds only those
# two, Node, and tini, and no compiler. CI builds this file unchanged (ci/container-check.sh).

# --- build: compile to dist/ and pack the package ---------------------------------------------
FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Scripts off: `prepare` (the build) would run before the sources are copied, and no dependency
# needs its install script (esbuild finds its platform binary package without it).
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
# `npm pack` applies the `files` list, so the image runs what the published tarball runs.
RUN npm run build \
  && npm pack --ignore-scripts --pack-destination /tmp \
  && mkdir /pkg \
  && tar -xzf /tmp/cpim-gateway-*.tgz -C /pkg --strip-components=1

# --- deps: production dependencies only ------------------------------------------------------
FROM node:20-slim AS deps
# better-sqlite3 (docs/storage.md) is a native module. Where its prebuilt binary cannot be
# downloaded it compiles from source with node-gyp, which needs python3, make and g++; they stay
# in this stage. Node's headers are the image's own (/usr/local/include/node), not a download.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts off for every package, then on for the one that needs its install script; its build's
# intermediate files and the bundled SQLite sources are not needed to run.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm rebuild better-sqlite3 \
  && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()" \
  && rm -rf node_modules/better-sqlite3/build/Release/obj.target node_modules/better-sqlite3/build/Release/.deps \
    node_modules/better-sqlite3/deps node_modules/better-sqlite3/src

# --- runtime -----------------------------------------------------------------------------------
FROM node:20-slim
# tini as PID 1: it forwards SIGTERM to the gateway (which stops its listeners and tells its peers,
# src/main.ts) and reaps any orphaned process, so `docker stop` ends the container cleanly without
# needing `--init` on every run command or orchestrator.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
# A fixed unprivileged user, so a bind-mounted data directory can be given to uid 10001.
RUN groupadd --system --gid 10001 cpim \
  && useradd --system --uid 10001 --gid cpim --no-create-home \
    --home-dir /var/lib/cpim-gateway --shell /usr/sbin/nologin cpim \
  && install -d -o cpim -g cpim -m 0750 /var/lib/cpim-gateway \
  && install -d -m 0755 /etc/cpim-gateway
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /pkg ./
COPY deploy/container.config.yaml /etc/cpim-gateway/gateway.config.yaml

ENV NODE_ENV=production \
  CPIM_HEALTH_URL=http://127.0.0.1:9464/health
USER cpim
# Relative paths in the configuration land in the data volume.
WORKDIR /var/lib/cpim-gateway
# Configuration (read-only is fine) and data: the SQLite store (gateway.sqlite and its -wal and
# -shm files, storage.path) and mail written to a directory.
VOLUME ["/etc/cpim-gateway", "/var/lib/cpim-gateway"]
# IMTP, PITP, web chat, SMTP in. The ops port (9464) listens on the container's loopback.
EXPOSE 7410 7411 8080 2525
# Liveness from the ops port (no curl in the slim image: Node's fetch). Set CPIM_HEALTH_URL when
# the configuration moves `ops`.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.CPIM_HEALTH_URL).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/cpim-gateway.js"]
CMD ["start", "--config", "/etc/cpim-gateway/gateway.config.yaml"]
