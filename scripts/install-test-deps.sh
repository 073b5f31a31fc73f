#!/usr/bin/env bash
# Installs the Debian packages that `npm test` needs: the real servers and tools the integration
# suites start (docs/testing.md, "What the machine needs"). Idempotent: packages already
# installed are left alone, and apt is not touched when nothing is missing. Run as root (or
# through sudo) on Debian 12 or a derivative; .ci/run calls it on every CI machine.
set -euo pipefail

# One list, kept here only. Add a package in the same change as the test that needs it.
# systemd: `systemd-analyze verify` checks deploy/cpim-gateway.service (ci/systemd-check.sh);
# ci/container-check.sh installs its own (podman, runc, debootstrap).
APT_PACKAGES=(openssl ngircd swaks postfix chromium systemd)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
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
