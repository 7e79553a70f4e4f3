#!/usr/bin/env bash
# Installs what the tests need (MariaDB, Redis, Chromium from Debian when missing; pnpm; dependencies),
# builds, starts MariaDB + Redis on loopback, runs every suite and prints the total as the last line.
set -uo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

missing=()
command -v mariadbd >/dev/null || missing+=(mariadb-server)
command -v redis-server >/dev/null || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v unshare >/dev/null || missing+=(util-linux)
command -v ip >/dev/null || missing+=(iproute2)
# A headed Chromium for the screen_cast_extension spec (packages/e2e/src/xvfb-screen-cast.spec.ts).
command -v xvfb-run >/dev/null || missing+=(xvfb)
command -v xauth >/dev/null || missing+=(xauth)
# coturn only for its client tools (turnutils_uclient/turnutils_peer, packages/e2e/src/turn.spec.ts); policy-rc.d
# or not, the test never uses its turnserver.
command -v turnutils_uclient >/dev/null || missing+=(coturn)
# Ops checks (scripts/ci): podman builds and runs the image, debootstrap makes the stand-in base and the
# Pi-like root, mariadb-dump backs up MariaDB, openssl/curl probe the running container.
command -v podman >/dev/null || missing+=(podman)
command -v buildah >/dev/null || missing+=(buildah)
command -v runc >/dev/null || missing+=(runc)
command -v slirp4netns >/dev/null || missing+=(slirp4netns)
command -v newuidmap >/dev/null || missing+=(uidmap)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v mariadb-dump >/dev/null || missing+=(mariadb-client)
command -v openssl >/dev/null || missing+=(openssl)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (Debian packages)"
  apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null || {
    echo "apt-get install ${missing[*]} failed"; echo "0 passed, 1 failed"; exit 1; }
fi

export PATH="$(pwd)/.tools/node_modules/.bin:$PATH"
bash scripts/setup.sh || { echo "install/build failed"; echo "0 passed, 1 failed"; exit 1; }

# Private MariaDB and Redis on their own ports, so a developer's own servers are untouched.
export STATE=${STATE:-$(pwd)/.test-state/ci} DB_PORT=${TEST_DB_PORT:-3317} REDIS_PORT=${TEST_REDIS_PORT:-6390}
bash scripts/services.sh start || { echo "could not start MariaDB/Redis"; echo "0 passed, 1 failed"; exit 1; }
trap 'bash scripts/services.sh stop' EXIT
export TEST_MYSQL_URL="mysql://pychat:pychat@127.0.0.1:$DB_PORT" TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"

node scripts/run-suites.mjs
