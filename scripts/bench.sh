#!/usr/bin/env bash
# `npm run bench`: builds, bundles, then runs every benchmark in bench/ (each prints JSON and a table). The
# labs run the bundled programs the images carry (LAB_PROGRAMS=bundle), not the TypeScript build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-build.sh
node scripts/bundle.js >/dev/null
export LAB_PROGRAMS=bundle
for b in bench/dist/*.js; do
  case "$b" in */report.js | */e2e-lib.js) continue ;; esac
  echo "== $b"
  node "$b"
done
