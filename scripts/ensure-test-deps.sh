#!/usr/bin/env bash
# System packages the test suite needs, installed only when missing (idempotent). Each
# ensure-*.sh beside this file installs one thing (Chromium for the viewer's browser tests,
# Redis for the distributed sweep test).
set -euo pipefail
cd "$(dirname "$0")"
for script in ensure-*.sh; do
  [ "$script" = "ensure-test-deps.sh" ] && continue
  bash "$script"
done
