#!/usr/bin/env bash
# `npm test`: installs what is missing, builds, runs every test (unit, kernel, end-to-end).
# `npm test -- unit` runs only the unprivileged unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
bash scripts/ensure-build.sh
if [ "${1:-}" = unit ]; then
  exec npx mocha --grep '\[(root|e2e)\]' --invert
fi
exec npx mocha
