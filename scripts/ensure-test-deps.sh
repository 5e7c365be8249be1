#!/usr/bin/env bash
# System packages the test suite needs (none yet). Idempotent: installs only what is missing.
set -euo pipefail
