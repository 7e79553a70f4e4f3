#!/usr/bin/env bash
# Shared by start.sh and test.sh: pnpm at the pinned version, dependencies, build.
set -euo pipefail
cd "$(dirname "$0")/.."
# better-sqlite3 compiles from source here; node-gyp must use the installed Node headers, not download them.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi
if [ "$(pnpm --version 2>/dev/null)" != "12.4.2" ]; then
  # Global when allowed (root, CI); otherwise a project-local copy, so no sudo is needed.
  if ! npm install -g pnpm@12.4.2 >/dev/null 2>&1; then
    npm install --no-save --prefix .tools pnpm@12.4.2 >/dev/null
    export PATH="$(pwd)/.tools/node_modules/.bin:$PATH"
  fi
fi
pnpm install --frozen-lockfile --reporter=append-only | grep -vE '^(Progress|\.\.\./)' | tail -5
pnpm -r run build
