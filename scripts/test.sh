#!/usr/bin/env bash
# `npm test`: installs what is missing, builds, runs every test (unit, kernel, end-to-end).
# `npm test -- unit` runs only the unprivileged unit tests and skips the lint, which would about double its time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
bash scripts/ensure-build.sh
if [ "${1:-}" = unit ]; then
  exec npx mocha --grep '\[(root|e2e)\]' --invert
fi
# One command, so that set -e stops here when it fails (it would not inside an && list). After the build:
# the type-aware rules read the declarations that cross-project imports resolve to.
npm run --silent lint
exec npx mocha
