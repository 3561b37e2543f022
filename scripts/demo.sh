#!/usr/bin/env bash
# `npm run demo [-- --keep]`: installs what is missing, builds, then brings up the dual-stack non-HA tunnel
# in network namespaces (real OpenVPN, throwaway certificates), prints what reached what and how long the
# tunnel took to come up, and tears everything down; `--keep` leaves it running. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "npm run demo needs root: it creates network namespaces and iptables rules inside them" >&2
  exit 1
fi
bash scripts/ensure-system-deps.sh
bash scripts/ensure-build.sh
exec node e2e/dist/demo.js "$@"
