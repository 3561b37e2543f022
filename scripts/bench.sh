#!/usr/bin/env bash
# `npm run bench`: builds, then runs every benchmark in bench/ (each prints JSON and a table).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-build.sh
for b in bench/dist/*.js; do
  case "$b" in */report.js) continue ;; esac
  echo "== $b"
  node "$b"
done
