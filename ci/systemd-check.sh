#!/usr/bin/env bash
# Checks deploy/cpim-gateway.service without a running systemd (docs/deployment.md, "What CI
# checks"): `systemd-analyze verify` must print nothing (it exits 0 on unknown keys and bad
# values and only prints them, so any output fails), and the offline security review must stay at
# or below an exposure of 2.5 so the sandboxing cannot quietly erode. Prints one result line.
set -uo pipefail
cd "$(dirname "$0")/.."
unit=deploy/cpim-gateway.service
max_exposure=25 # tenths: systemd-analyze's --threshold counts exposure in 0.1 steps (2.5 here)

fail() {
  echo "systemd check: FAILED: $1"
  exit 1
}
command -v systemd-analyze >/dev/null || fail "systemd-analyze is not installed (Debian package systemd)"

out=$(systemd-analyze verify "$unit" 2>&1)
# verify also looks for ExecStart's program on this machine. CI does not install the package
# globally, so exactly that one line is expected while the program is absent; any other line,
# or that line once the program exists, fails.
exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
[ -n "$exe" ] || fail "$unit has no ExecStart"
if [ ! -e "$exe" ]; then
  out=$(printf '%s\n' "$out" | grep -vxF "$(basename "$unit"): Command $exe is not executable: No such file or directory")
fi
[ -z "$out" ] || fail "systemd-analyze verify $unit printed:
$out"

review=$(systemd-analyze security --offline=true --threshold="$max_exposure" --no-pager "$unit" 2>&1)
status=$?
level=$(printf '%s\n' "$review" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
[ $status -eq 0 ] || fail "security exposure ${level:-unknown} is above $((max_exposure / 10)).$((max_exposure % 10)):
$(printf '%s\n' "$review" | grep '✗')"

echo "systemd check: ok ($unit verifies cleanly, exposure $level)"
