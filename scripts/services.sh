#!/usr/bin/env bash
# Starts (or stops) a private MariaDB and Redis on loopback for the tests, from Debian's packages.
# Usage: scripts/services.sh start|stop   (env: STATE dir, DB_PORT, REDIS_PORT)
# Prints nothing on success but the ports; the data lives under $STATE and is thrown away by `stop`.
set -euo pipefail
STATE=${STATE:-$(pwd)/.test-state}
DB_PORT=${DB_PORT:-3307}
REDIS_PORT=${REDIS_PORT:-6380}
cmd=${1:-start}

stop() {
  [ -f "$STATE/redis.pid" ] && kill "$(cat "$STATE/redis.pid")" 2>/dev/null || true
  if [ -f "$STATE/mysqld.pid" ]; then
    pid=$(cat "$STATE/mysqld.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$STATE"
}

start() {
  stop
  mkdir -p "$STATE"
  mariadb-install-db --user=root --datadir="$STATE/mysql" --auth-root-authentication-method=socket \
    --skip-test-db >"$STATE/install-db.log" 2>&1
  mariadbd --no-defaults --user=root --datadir="$STATE/mysql" --socket="$STATE/mysqld.sock" \
    --port="$DB_PORT" --bind-address=127.0.0.1 --pid-file="$STATE/mysqld.pid" --log-error="$STATE/mysqld.err" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci --skip-log-bin \
    --innodb-buffer-pool-size=128M --innodb-flush-log-at-trx-commit=2 --max-connections=500 >/dev/null 2>&1 &
  for _ in $(seq 1 300); do mariadb-admin --socket="$STATE/mysqld.sock" ping >/dev/null 2>&1 && break; sleep 0.1; done
  mariadb --socket="$STATE/mysqld.sock" <<'SQL'
CREATE USER IF NOT EXISTS 'pychat'@'localhost' IDENTIFIED BY 'pychat';
CREATE USER IF NOT EXISTS 'pychat'@'127.0.0.1' IDENTIFIED BY 'pychat';
GRANT ALL PRIVILEGES ON *.* TO 'pychat'@'localhost';
GRANT ALL PRIVILEGES ON *.* TO 'pychat'@'127.0.0.1';
SQL
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
    --pidfile "$STATE/redis.pid" --logfile "$STATE/redis.log" --dir "$STATE"
  for _ in $(seq 1 100); do [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && break; sleep 0.05; done
  echo "mariadb 127.0.0.1:$DB_PORT redis 127.0.0.1:$REDIS_PORT"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
