#!/usr/bin/env bash
# Installs the Debian packages that `npm test` needs: the real servers and tools the integration
# suites start (docs/testing.md, "What the machine needs"). Idempotent: packages already
# installed are left alone, and apt is not touched when nothing is missing. Run as root (or
# through sudo) on Debian 12 or a derivative; .ci/run calls it on every CI machine.
set -euo pipefail

# One list, kept here only. Add a package in the same change as the test that needs it.
# systemd: `systemd-analyze verify` checks deploy/cpim-gateway.service (ci/systemd-check.sh);
# ci/container-check.sh installs its own (podman, runc, debootstrap).
# postgresql-15: the store suite on PostgreSQL (test/support/postgres.ts starts its own server
# from /usr/lib/postgresql/15/bin on a free port; it never uses the package's default cluster);
# it brings postgresql-client-15, whose pg_dump `cpim-gateway db backup` runs.
# prosody, ejabberd: the XMPP adapter's tests (test/support/prosody.ts, ejabberd.ts start them on
# free loopback ports; ejabberd brings Erlang and its epmd, which the fixture runs on its own port).
# inspircd: the IRCv3 suites (test/support/inspircd.ts runs it as the `irc` user on a free loopback
# port; the package's own service, if the machine starts it, is left alone).
APT_PACKAGES=(openssl ngircd swaks postfix chromium systemd postgresql-15 prosody ejabberd inspircd)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# Where the PostgreSQL tests look for the server (they fail under CI=true when it is absent).
PG_BIN=/usr/lib/postgresql/15/bin
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-test-deps: all ${#APT_PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo)
export DEBIAN_FRONTEND=noninteractive
echo "install-test-deps: installing ${missing[*]}"
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 update -q
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "${missing[@]}"
[ -x "$PG_BIN/postgres" ] || { echo "install-test-deps: $PG_BIN/postgres is still missing after installing postgresql-15" >&2; exit 1; }
