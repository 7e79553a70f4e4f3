#!/usr/bin/env bash
# CI check for `pychat backup` / `pychat restore`: backup → wipe → restore, on SQLite and on MariaDB,
# proven by reading a message back through the API of a server started on the restored data.
#   sqlite   the backup is taken while the server runs (SQLite's online backup API); restore refuses
#            while a server answers; the wipe removes the whole data dir but the backup.
#   mariadb  mariadb-dump of a live database; the wipe drops the database and the uploads; restore creates
#            them again.
# Both carry an uploaded file attached to the message (FILE.uploads/ beside the backup).
# Uses the built backend (packages/backend/dist). Env: TEST_MYSQL_URL (scripts/test.sh sets it).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

which=${1:-all}
PORT=${CI_BACKUP_PORT:-$(free_port)}
MYSQL_URL=${TEST_MYSQL_URL:-mysql://pychat:pychat@127.0.0.1:3307}
MAIN="$REPO/packages/backend/dist/main.js"
PYCHAT="node $REPO/packages/backend/dist/cli/index.js"
CHECK="node $REPO/scripts/ci/chat-check.mjs"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pychat-backup.XXXXXX")
URL=http://127.0.0.1:$PORT
SERVER=

# Only these variables: the host's own PYCHAT_* (or /etc/pychat/pychat.env) must not leak in.
export PYCHAT_ENV_FILE=/dev/null PYCHAT_HOST=127.0.0.1 PYCHAT_PORT=$PORT PYCHAT_LOG_LEVEL=warn
unset PYCHAT_REDIS_URL PYCHAT_TLS PYCHAT_TLS_CERT PYCHAT_TLS_KEY

start() {
  node "$MAIN" >>"$WORK/server.log" 2>&1 &
  SERVER=$!
  $CHECK wait "$URL" 30 || { cat "$WORK/server.log" >&2; die "server did not start"; }
}
stop() {
  [ -n "$SERVER" ] || return 0
  kill -TERM "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  SERVER=
}
trap 'stop; rm -rf "$WORK"' EXIT
# What a login shell usually has: Pychat must keep its data private anyway (docs/deploy.md, "File modes").
umask 022

# private MODE PATH...: fails unless each path has exactly this mode (e.g. 600).
private() {
  local want=$1 path mode
  shift
  for path in "$@"; do
    mode=$(stat -c %a "$path")
    [ "$mode" = "$want" ] || die "$path is $mode, expected $want"
  done
}

sqlite_round_trip() {
  log "sqlite: chat, online backup, wipe, restore, read back"
  export PYCHAT_DATA_DIR=$WORK/data PYCHAT_DB_URL=sqlite:
  start
  $CHECK chat "$URL" "$WORK/state.json"
  $PYCHAT backup "$WORK/pychat.sqlite"
  private 700 "$PYCHAT_DATA_DIR"
  private 600 "$PYCHAT_DATA_DIR"/pychat.sqlite* "$WORK/pychat.sqlite"
  if $PYCHAT restore "$WORK/pychat.sqlite" >"$WORK/refused.log" 2>&1; then die "restore ran while the server was up"; fi
  grep -q 'Pychat is running' "$WORK/refused.log" || { cat "$WORK/refused.log" >&2; die "restore refused for the wrong reason"; }
  stop
  rm -rf "$PYCHAT_DATA_DIR"
  $PYCHAT restore "$WORK/pychat.sqlite"
  private 700 "$PYCHAT_DATA_DIR" "$PYCHAT_DATA_DIR/uploads"
  private 600 "$PYCHAT_DATA_DIR/pychat.sqlite" "$PYCHAT_DATA_DIR"/uploads/*
  start
  $CHECK read "$URL" "$WORK/state.json"
  stop
}

# Runs SQL statements on the MariaDB server of $MYSQL_URL (no database selected), through mysql2.
mysql_exec() {
  node -e '
    const u = new URL(process.argv[1]);
    require(require.resolve("mysql2/promise", { paths: [process.argv[2]] }))
      .createConnection({ host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) })
      .then(async (c) => { for (const sql of process.argv.slice(3)) await c.query(sql); await c.end(); });
  ' "$MYSQL_URL" "$REPO/packages/backend" "$@"
}

mariadb_round_trip() {
  log "mariadb: chat, mariadb-dump, drop the database, restore, read back"
  need mariadb:mariadb-client
  local db=pychat_backup_ci
  export PYCHAT_DATA_DIR=$WORK/data-mariadb PYCHAT_DB_URL="${MYSQL_URL/#mysql:/mariadb:}/$db"
  mysql_exec "DROP DATABASE IF EXISTS $db" "CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  start
  $CHECK chat "$URL" "$WORK/state-mariadb.json"
  $PYCHAT backup "$WORK/pychat.sql.gz"
  private 600 "$WORK/pychat.sql.gz" "$WORK/pychat.sql.gz.uploads"/*
  stop
  mysql_exec "DROP DATABASE $db"
  # The uploads go too: the restore must bring the attached file back from pychat.sql.gz.uploads/.
  rm -rf "$PYCHAT_DATA_DIR/uploads"
  if $CHECK wait "$URL" 1 2>/dev/null; then die "a server still answers"; fi
  $PYCHAT restore "$WORK/pychat.sql.gz"
  start
  $CHECK read "$URL" "$WORK/state-mariadb.json"
  stop
}

case "$which" in
  sqlite) sqlite_round_trip ;;
  mariadb) mariadb_round_trip ;;
  all) sqlite_round_trip; mariadb_round_trip ;;
  *) die "usage: backup.sh [sqlite|mariadb|all]" ;;
esac
echo "backup/restore: OK ($which)"
