#!/usr/bin/env bash
# CI check for rootfs/ (and docker/nginx.conf): lay it over debootstrapped Debian roots with systemd,
# nginx-light and ssl-cert (what the native install puts on a Raspberry Pi): trixie (Debian 13 / Raspberry
# Pi OS 13, with Debian's nodejs 20.19) and bookworm (Debian 12, Node 20 unpacked into /usr/local). Do the
# install steps of docs/deploy.md, run `nginx -t` and `systemd-analyze verify` inside each, then serve: Pychat
# as the unit starts it, nginx in front, and a chat through https://127.0.0.1 on a loopback-only network. Fails on a
# non-zero exit AND on any warning: systemd only warns about unknown keys (exit 0), nginx about duplicate or
# obsolete settings (trixie's nginx 1.26 warns where bookworm's 1.22 is silent).
# The roots are cached under $PYCHAT_CI_CACHE (debootstrap once, ~50 s each); each check uses a throwaway overlay.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pychat-rootfs.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# $1 label, $2 debootstrapped root, $3 where node comes from: "debian" (the root's own) or "local" (this
# machine's node bind-mounted at /usr/local/bin/node, like the official tarball on Debian 12).
validate() {
  local label=$1 lower=$2 node=$3 work="$WORK/$1"
  mkdir -p "$work/upper" "$work/work" "$work/root"
  echo "━━ $label"
  # Private mount, network and pid namespaces: mounts, the loopback-only network and every process
  # started inside (Pychat, nginx) end with it.
  unshare --mount --net --pid --fork --propagation private bash -euo pipefail -s "$lower" "$work" "$REPO" "$node" <<'INNER'
PI=$1 WORK=$2 REPO=$3 NODE=$4 R=$WORK/root
mount -t overlay overlay -o "lowerdir=$PI,upperdir=$WORK/upper,workdir=$WORK/work" "$R"
mount -t proc proc "$R/proc"

# The native install (docs/deploy.md): the repository in /opt/pychat (built web app included), node in
# /usr/bin, rootfs/ copied over /, the pychat user, the env file, the nginx site enabled.
mkdir -p "$R/opt/pychat"
mount --bind "$REPO" "$R/opt/pychat"
if [ "$NODE" = local ]; then
  touch "$R/usr/local/bin/node"
  mount --bind "$(command -v node)" "$R/usr/local/bin/node"
fi
cp -a "$REPO/rootfs/." "$R/"
chroot "$R" useradd --system --user-group --create-home --home-dir /var/lib/pychat --shell /usr/sbin/nologin pychat
install -m 640 -g "$(chroot "$R" id -g pychat)" "$R/etc/pychat/pychat.env.example" "$R/etc/pychat/pychat.env"
ln -sf ../sites-available/pychat.conf "$R/etc/nginx/sites-enabled/pychat.conf"
rm -f "$R/etc/nginx/sites-enabled/default"

fail=0
echo "── nginx -t"
out=$(chroot "$R" nginx -t 2>&1) || fail=1
echo "$out"
extra=$(echo "$out" | grep -vE '^nginx: (the configuration file /etc/nginx/nginx.conf syntax is ok|configuration file /etc/nginx/nginx.conf test is successful)$' || true)
if [ -n "$extra" ]; then echo "FAIL: nginx -t printed more than 'syntax is ok' / 'test is successful'"; fail=1; fi

echo "── nginx -t of docker/nginx.conf (the compose file's load balancer), in the http block as nginx:alpine has it"
mkdir -p "$R/data/tls"
env -u NODE_EXTRA_CA_CERTS PYCHAT_ENV_FILE=/dev/null PYCHAT_DATA_DIR="$WORK/certs" PYCHAT_TLS=auto \
  node "$REPO/packages/backend/dist/cli/index.js" cert --out "$R/data/tls/nginx.pem" >/dev/null
echo '127.0.0.1 pychat1 pychat2' >>"$R/etc/hosts"
cp "$REPO/docker/nginx.conf" "$R/etc/nginx/compose-site.conf"
printf 'events {}\nhttp {\n  include /etc/nginx/mime.types;\n  include /etc/nginx/compose-site.conf;\n}\n' >"$R/etc/nginx/compose-test.conf"
out=$(chroot "$R" nginx -t -c /etc/nginx/compose-test.conf 2>&1) || fail=1
echo "$out"
extra=$(echo "$out" | grep -vE '^nginx: (the configuration file /etc/nginx/compose-test.conf syntax is ok|configuration file /etc/nginx/compose-test.conf test is successful)$' || true)
if [ -n "$extra" ]; then echo "FAIL: nginx -t of docker/nginx.conf printed more than success"; fail=1; fi

echo "── systemd-analyze verify"
units="/etc/systemd/system/pychat.service /etc/systemd/system/pychat@8081.service"
out=$(chroot "$R" systemd-analyze verify --man=no $units 2>&1) || { echo "FAIL: exit status $?"; fail=1; }
echo "${out:-(no output)}"
if [ -n "$out" ]; then echo "FAIL: systemd-analyze verify printed warnings"; fail=1; fi

echo "── pychat CLI wrapper and env file"
# The wrapper runs the CLI as the pychat user with /etc/pychat/pychat.env: doctor must accept the config.
out=$(env -u NODE_EXTRA_CA_CERTS chroot "$R" /usr/local/bin/pychat doctor 2>&1) || true
echo "$out" | sed 's/^/   /'
echo "$out" | grep -q '^ok    config: every PYCHAT_\* variable is valid$' || { echo "FAIL: the env file example is not a valid configuration"; fail=1; }
echo "$out" | grep -q '^ok    data dir: /var/lib/pychat$' || { echo "FAIL: data dir check"; fail=1; }

echo "── serving: Pychat as the unit runs it, nginx in front, a chat through https://127.0.0.1 (private network)"
ip link set lo up
chroot "$R" setpriv --reuid=pychat --regid=pychat --init-groups -- env -u NODE_EXTRA_CA_CERTS \
  node /opt/pychat/packages/backend/dist/cli/index.js start >"$WORK/pychat.log" 2>&1 &
chroot "$R" nginx
CHECK="node $REPO/scripts/ci/chat-check.mjs"
if $CHECK wait https://127.0.0.1 30 && $CHECK page https://127.0.0.1 && $CHECK chat https://127.0.0.1 "$WORK/chat.json" &&
  $CHECK read https://127.0.0.1 "$WORK/chat.json"; then
  location=$(curl -s -o /dev/null -w '%{redirect_url}' http://127.0.0.1/room/1)
  [ "$location" = https://127.0.0.1/room/1 ] || { echo "FAIL: port 80 redirects to '$location'"; fail=1; }
  status=$(curl -sk -o /dev/null -w '%{http_code}' https://127.0.0.1/metrics)
  [ "$status" = 404 ] || { echo "FAIL: nginx passes /metrics on ($status)"; fail=1; }
  owner=$(chroot "$R" stat -c %U /var/lib/pychat/pychat.sqlite)
  [ "$owner" = pychat ] || { echo "FAIL: the database belongs to $owner"; fail=1; }
else
  echo "FAIL: no chat through nginx"; tail -20 "$WORK/pychat.log"; tail -5 "$R/var/log/nginx/error.log"; fail=1
fi
exit $fail
INNER
}

fail=0
validate trixie "$(debootstrap_root pi-trixie "systemd,nginx-light,ssl-cert,nodejs" trixie)" debian || fail=1
validate bookworm "$(debootstrap_root pi "systemd,nginx-light,ssl-cert")" local || fail=1
[ $fail = 0 ] || die "rootfs/ does not pass on every root"
echo "rootfs: nginx -t and systemd-analyze verify clean on trixie and bookworm"
