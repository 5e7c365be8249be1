#!/usr/bin/env bash
# The test command (npm test): installs what the tests need on this machine, type-checks, runs
# the whole suite. .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-test-deps.sh
npx tsc --noEmit
npx vitest run "$@"
