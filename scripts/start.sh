#!/usr/bin/env bash
# Quick start: installs, builds and runs Pychat on the embedded default (SQLite under ./data, no Redis).
# Any PYCHAT_* variable set in the environment applies (see README "Configuration").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PYCHAT_DATA_DIR=${PYCHAT_DATA_DIR:-$(pwd)/data}
exec node packages/backend/dist/main.js
