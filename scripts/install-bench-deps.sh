#!/usr/bin/env bash
# Installs the Debian packages that `npm run bench` needs beyond the test servers: the peer
# gateway (biboumi, an XMPP component) and the XMPP server it plugs into (prosody), so the peer
# row is measured in the same run as the gateway's (issue 18; bench/README.md "peer"), and
# ngircd, which every IRC benchmark starts. Idempotent: apt is not
# touched when nothing is missing. `npm run bench` runs it first (the `prebench` script); without
# root or sudo it says what is missing and the benchmarks that need it record `skipped`.
set -euo pipefail

BENCH_PACKAGES=(biboumi prosody ngircd)
missing=()
for p in "${BENCH_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-bench-deps: ${BENCH_PACKAGES[*]} already installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ] && ! sudo -n true 2>/dev/null; then
  echo "install-bench-deps: missing ${missing[*]}; run as root: apt-get install ${missing[*]} (the benchmarks that need them record 'skipped')" >&2
  exit 0
fi
SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo -n)
export DEBIAN_FRONTEND=noninteractive
echo "install-bench-deps: installing ${missing[*]}"
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 update -q
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "${missing[@]}"
# Debian starts the packages' own services; the benchmarks run their own instances on free
# loopback ports, so the system ones are stopped to keep the machine quiet (and 5222/6667 free).
for svc in biboumi prosody ngircd; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    "${SUDO[@]}" systemctl stop "$svc" || true
  fi
done
