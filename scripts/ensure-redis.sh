#!/usr/bin/env bash
# Redis for the distributed-sweep test (tests/sweep-queue.test.ts): installs Debian's
# redis-server when it is missing. Idempotent; a no-op when redis-server is on PATH.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-redis: redis-server is missing and apt-get is unavailable; install Redis (>= 6.2) yourself" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "ensure-redis: need root (or sudo) to apt-get install redis-server" >&2
    exit 1
  fi
fi
echo "ensure-redis: installing redis-server (apt-get)..." >&2
# Other ensure-*.sh scripts may hold the apt lock: wait for it rather than fail.
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends redis-server >/dev/null
command -v redis-server >/dev/null 2>&1
