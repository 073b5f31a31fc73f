#!/usr/bin/env bash
# Builds the Dockerfile unchanged with podman and runs the image the way docs/deployment.md says
# (docs/deployment.md, "What CI checks"). Prints one result line; exits 1 on any failure.
#
#  1. installs podman, runc, debootstrap and openssl when missing (apt, idempotent);
#  2. no image registry is reachable here, so `node:20-slim` is a stand-in built once from
#     Debian's archive plus this machine's Node (docs/deployment.md);
#     a real node:20-slim, when present, is used as it is;
#  3. `podman build --pull=never --format docker` (docker format keeps HEALTHCHECK); the image
#     runs as a non-root user, has a HEALTHCHECK and holds no tests, sources or build tools;
#  4. without its secrets the image must refuse to start and name the missing variable;
#  5. with secrets from the environment, the configuration and a TLS key in a read-only config
#     volume and an empty data volume: /ready answers 200, the HEALTHCHECK passes, the web page
#     and the hub's TLS listener answer, mail-out and the SQLite store (gateway.sqlite) were
#     created in the data volume by uid 10001 (better-sqlite3 compiled in the deps stage runs);
#  6. SIGHUP (through tini) and `cpim-gateway reload` (over the admin socket) reload it in place;
#  7. `podman stop` (SIGTERM through tini) ends it with exit code 0 well before the kill timeout.
#
# The container shares the host's network (--network=host, no NAT); the check's copy of
# deploy/container.config.yaml binds 127.0.0.1 on free ports instead of 0.0.0.0 on fixed ones.
set -uo pipefail
cd "$(dirname "$0")/.."
export CONTAINERS_CONF=$PWD/ci/containers.conf

IMAGE=localhost/cpim-gateway:ci
BASE=localhost/node:20-slim
NAME=cpim-gateway-check-$$
READY_TIMEOUT_S=60
STOP_TIMEOUT_S=10
UID_IN_IMAGE=10001

work=$(mktemp -d)
started=0
fail() {
  echo "container check: FAILED: $1"
  if [ $started -eq 1 ]; then
    echo "  last lines of the container's log:"
    podman logs --tail 30 "$NAME" 2>&1 | sed 's/^/  | /'
  fi
  exit 1
}
cleanup() {
  for c in "$NAME" "$NAME-nosecrets"; do podman rm -f -t 0 "$c" >/dev/null 2>&1; done
  rm -rf "$work"
}
trap cleanup EXIT

# --- 1. tools ----------------------------------------------------------------------------------
missing=()
for p in podman runc debootstrap openssl; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  { apt-get -o DPkg::Lock::Timeout=300 update -q &&
    apt-get -o DPkg::Lock::Timeout=300 install -y -q "${missing[@]}"; } >"$work/apt.log" 2>&1 ||
    { tail -20 "$work/apt.log"; fail "apt-get install ${missing[*]}"; }
fi

# --- 2. the node:20-slim stand-in --------------------------------------------------------------
t=$SECONDS
node_version=$(node --version)
# The stand-in's labels: the Node version it carries, and whether it has Node's C headers (which
# the official image has under /usr/local/include/node; better-sqlite3 compiles against them).
standin_labels=$(podman image inspect --format '{{index .Config.Labels "cpim.standin.node"}} {{index .Config.Labels "cpim.standin.headers"}}' "$BASE" 2>/dev/null)
if ! podman image exists docker.io/library/node:20-slim && [ "$standin_labels" != "$node_version yes" ]; then
  mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  root=$work/root
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; fail "debootstrap bookworm from $mirror"; }
  # Where the official image has them: Node and npm under /usr/local.
  install -D "$(command -v node)" "$root/usr/local/bin/node"
  mkdir -p "$root/usr/local/lib/node_modules"
  cp -a "$(npm root -g)/npm" "$root/usr/local/lib/node_modules/"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  # Node's headers, for native modules (better-sqlite3): Debian's nodejs has them in /usr/include.
  headers=$(dirname "$(command -v node)")/../include/node
  [ -f "$headers/node_version.h" ] || headers=/usr/include/node
  [ -f "$headers/node_version.h" ] || fail "Node's C headers (node_version.h) are not on this machine (Debian: libnode-dev)"
  mkdir -p "$root/usr/local/include" && cp -a "$headers" "$root/usr/local/include/node"
  # This machine's apt settings for its archive (e.g. a snapshot past its Valid-Until date), so
  # `apt-get install` in the Dockerfile reaches the same archive the host does.
  for f in /etc/apt/apt.conf.d/*; do
    grep -qs 'Acquire::' "$f" && cp "$f" "$root/etc/apt/apt.conf.d/"
  done
  tar -C "$root" -cf "$work/base.tar" . || fail "tar of the stand-in root"
  podman import --change 'CMD ["node"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL cpim.standin.node=$node_version" --change "LABEL cpim.standin.headers=yes" \
    "$work/base.tar" "$BASE" >"$work/import.log" 2>&1 || { cat "$work/import.log"; fail "podman import of the stand-in"; }
  rm -rf "$root" "$work/base.tar"
fi
base_s=$((SECONDS - t))

# --- 3. build ----------------------------------------------------------------------------------
# npm's registry is reached through a TLS proxy whose CA is in the host's bundle and named by the
# host's global npmrc (cafile): both are mounted for the build's RUN steps only.
t=$SECONDS
mounts=()
[ -d /etc/ssl/certs ] && mounts+=(-v /etc/ssl/certs:/etc/ssl/certs:ro)
npmrc=$(npm config get globalconfig 2>/dev/null)
[ -f "$npmrc" ] && mounts+=(-v "$npmrc:/usr/local/etc/npmrc:ro")
podman build --pull=never --format docker --network=host "${mounts[@]}" -t "$IMAGE" -f Dockerfile . \
  >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; fail "podman build"; }
build_s=$((SECONDS - t))
user=$(podman image inspect --format '{{.Config.User}}' "$IMAGE")
case "$user" in '' | root | 0 | 0:*) fail "the image runs as root (USER '$user')" ;; esac
podman image inspect --format '{{json .Config.Healthcheck}}' "$IMAGE" | grep -q 'CPIM_HEALTH_URL' ||
  fail "the image has no HEALTHCHECK"
# Only what runs (issue 14, "Compiled package"): no tests, TypeScript sources or build tools, and
# no compiler (the deps stage compiled better-sqlite3; python3, make and g++ stayed there).
leftovers=$(podman run --rm --network=none --entrypoint sh "$IMAGE" -c '
  cd /app && ls -d test bench scripts src node_modules/tsx node_modules/typescript node_modules/esbuild \
    node_modules/vitest 2>/dev/null; find . -path ./node_modules -prune -o -name "*.ts" -print | head -3
  for t in g++ gcc make python3; do command -v $t; done' \
  2>/dev/null)
[ -z "$leftovers" ] || fail "the image holds what only the build needs: $(echo $leftovers)"
# Untagged stages of builds older than a day; younger ones stay as the next build's cache.
podman image prune -f --filter until=24h >/dev/null 2>&1

# --- 4. no secrets: refused, naming the variable -------------------------------------------------
out=$(timeout 60 podman run --rm --name "$NAME-nosecrets" --network=none "$IMAGE" 2>&1)
status=$?
[ $status -ne 0 ] && [ $status -ne 124 ] && grep -q CPIM_ALICE_PASSWORD <<<"$out" ||
  fail "without CPIM_ALICE_PASSWORD the container should stop and name it (exit $status): $out"

# --- 5. run with configuration, TLS key, secrets and data volume ---------------------------------
# Free loopback ports for the hub (IMTP, PITP), the web page, SMTP and the ops endpoints.
read -r imtp pitp web smtp ops < <(node -e '
  const net = require("node:net");
  const servers = Array.from({ length: 5 }, () => net.createServer());
  Promise.all(servers.map((s) => new Promise((r) => s.listen(0, "127.0.0.1", () => r(s.address().port)))))
    .then((ports) => { console.log(ports.join(" ")); servers.forEach((s) => s.close()); });')
[ -n "$ops" ] || fail "could not find free ports"

config=$work/config
data=$work/data
mkdir -p "$config/tls"
sed -e 's/host: 0\.0\.0\.0/host: 127.0.0.1/' \
  -e "s/port: 7410/port: $imtp/; s/port: 7411/port: $pitp/; s/port: 8080/port: $web/" \
  -e "s/port: 2525/port: $smtp/; s/port: 9464/port: $ops/" \
  deploy/container.config.yaml >"$config/gateway.config.yaml"
grep -q "host: 0.0.0.0\|port: 7410\|port: 9464" "$config/gateway.config.yaml" &&
  fail "deploy/container.config.yaml changed shape: the check could not move its listeners"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout "$config/tls/key.pem" -out "$config/tls/cert.pem" \
  >"$work/openssl.log" 2>&1 || fail "openssl could not make a test certificate"
chown "$UID_IN_IMAGE:$UID_IN_IMAGE" "$config/tls/key.pem" && chmod 0600 "$config/tls/key.pem"
install -d -o "$UID_IN_IMAGE" -g "$UID_IN_IMAGE" -m 0750 "$data"

health_url=http://127.0.0.1:$ops/health
ready_url=http://127.0.0.1:$ops/ready
podman run -d --name "$NAME" --network=host \
  -e CPIM_DOMAIN=example.test -e CPIM_ALICE_PASSWORD=check-password \
  -e CPIM_WEB_ALICE_TOKEN=check-web-token-0123456789 -e CPIM_HEALTH_URL="$health_url" \
  -v "$config:/etc/cpim-gateway:ro" -v "$data:/var/lib/cpim-gateway" \
  "$IMAGE" >/dev/null 2>"$work/run.log" || { cat "$work/run.log"; fail "podman run"; }
started=1

# GET a URL from the host: prints the status (0 when unreachable), then the body.
get() {
  node -e 'fetch(process.argv[1]).then(async (r) => console.log(r.status + "\n" + (await r.text())),
    () => console.log(0))' "$1"
}
t=$SECONDS
ready=''
while [ $((SECONDS - t)) -lt $READY_TIMEOUT_S ]; do
  [ "$(podman inspect --format '{{.State.Running}}' "$NAME")" = true ] || fail "the container exited"
  ready=$(get "$ready_url")
  [ "$(head -1 <<<"$ready")" = 200 ] && break
  sleep 0.5
done
ready_s=$((SECONDS - t))
[ "$(head -1 <<<"$ready")" = 200 ] || fail "$ready_url did not answer 200 within ${READY_TIMEOUT_S}s: $ready"

podman healthcheck run "$NAME" >/dev/null 2>&1 || fail "the image's HEALTHCHECK failed"
page=$(get "http://127.0.0.1:$web/")
[ "$(head -1 <<<"$page")" = 200 ] && grep -qi '<html' <<<"$page" || fail "the web page did not answer"
# The hub's TLS listener presents the mounted certificate (verified against it as the only CA).
node -e '
  const tls = require("node:tls"), fs = require("node:fs");
  const s = tls.connect({ host: "127.0.0.1", port: +process.argv[1], servername: "localhost",
    ca: fs.readFileSync(process.argv[2]) }, () => setTimeout(() => { s.end(); process.exit(0); }, 300));
  s.on("error", (e) => { console.error(e.message); process.exit(1); });
  setTimeout(() => process.exit(1), 5000);' "$imtp" "$config/tls/cert.pem" ||
  fail "the hub's IMTP listener did not complete a TLS handshake with the mounted certificate"
[ "$(stat -c %u "$data/mail-out" 2>/dev/null)" = "$UID_IN_IMAGE" ] ||
  fail "mail-out was not created in the data volume by uid $UID_IN_IMAGE"
# The store (issue 15): the SQLite file in the data volume, made by the image's compiled
# better-sqlite3 and written by uid 10001.
[ "$(stat -c %u "$data/gateway.sqlite" 2>/dev/null)" = "$UID_IN_IMAGE" ] ||
  fail "the store's gateway.sqlite was not created in the data volume by uid $UID_IN_IMAGE"
[ "$(head -c 15 "$data/gateway.sqlite")" = "SQLite format 3" ] || fail "gateway.sqlite is not a SQLite database"

# --- 6. reload: SIGHUP through tini, and `cpim-gateway reload` over the admin socket ----------
podman kill --signal HUP "$NAME" >/dev/null 2>>"$work/run.log" || fail "podman kill --signal HUP"
t=$SECONDS
until podman logs "$NAME" 2>&1 | grep -q 'reloading the configuration'; do
  [ $((SECONDS - t)) -lt 10 ] || fail "SIGHUP did not reach the gateway (no 'reloading the configuration' line)"
  sleep 0.5
done
out=$(podman exec "$NAME" node /app/bin/cpim-gateway.js reload --config /etc/cpim-gateway/gateway.config.yaml 2>&1) ||
  fail "cpim-gateway reload in the container failed: $out"
[ "$(head -1 <<<"$(get "$ready_url")")" = 200 ] || fail "not ready after the reloads"

# --- 7. SIGTERM stops it cleanly ----------------------------------------------------------------
t=$SECONDS
podman stop -t "$STOP_TIMEOUT_S" "$NAME" >/dev/null 2>>"$work/run.log" || { cat "$work/run.log"; fail "podman stop"; }
stop_s=$((SECONDS - t))
code=$(podman inspect --format '{{.State.ExitCode}}' "$NAME")
[ "$code" = 0 ] && [ $stop_s -lt $STOP_TIMEOUT_S ] ||
  fail "after the stop signal the gateway ended with exit code $code after ${stop_s}s (timeout ${STOP_TIMEOUT_S}s)"
podman logs "$NAME" 2>&1 | grep -q 'gateway stopped' || fail "the log has no 'gateway stopped' line"

echo "container check: ok (base ${base_s}s, build ${build_s}s, ready in ${ready_s}s, reloaded, stopped by SIGTERM in ${stop_s}s, exit 0)"
