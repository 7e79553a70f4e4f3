#!/usr/bin/env bash
# README's first Quick start command, as a new user runs it: `bash scripts/start.sh` must install, build, start
# Pychat on SQLite without Redis, print its URL, serve the web app and answer /api/health.
set -uo pipefail
cd "$(dirname "$0")/../.."
data=$(mktemp -d)
log=$(mktemp)
port=${QUICKSTART_PORT:-18765}
PYCHAT_HOST=127.0.0.1 PYCHAT_PORT=$port PYCHAT_DATA_DIR=$data bash scripts/start.sh >"$log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null; pkill -P "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$data" "$log"; }
trap cleanup EXIT
for _ in $(seq 1 600); do
  grep -q "Pychat is running at http://127.0.0.1:$port" "$log" && break
  kill -0 "$pid" 2>/dev/null || { echo "start.sh exited early:"; cat "$log"; exit 1; }
  sleep 0.5
done
grep -q "Pychat is running at" "$log" || { echo "no URL printed:"; tail -20 "$log"; exit 1; }
health=$(curl -fsS "http://127.0.0.1:$port/api/health") || { echo "health failed"; exit 1; }
echo "$health" | grep -q '"db":"up"' && echo "$health" | grep -q '"bus":"memory"' || { echo "unexpected health: $health"; exit 1; }
curl -fsS "http://127.0.0.1:$port/" | grep -q '<div id="app">' || { echo "web app not served"; exit 1; }
[ -f "$data/pychat.sqlite" ] || { echo "no SQLite file in the data dir"; exit 1; }
echo "quick start OK: $health"
