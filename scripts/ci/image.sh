#!/usr/bin/env bash
# CI check for docker/Dockerfile, with podman (no Docker engine, no registry on these machines):
#   1. the stand-in for node:20-bookworm-slim (lib.sh base_image; cached), then the UNMODIFIED Dockerfile
#      built with --pull=never --format docker (build layers and the pnpm store cached between runs);
#   2. the documented `docker run -p 443:443 -p 3478:3478/udp -p 3478:3478/tcp -v pychat:/data IMAGE`, published on loopback
#      only: over HTTPS two users sign up and exchange a message on the WebSocket; HTTP redirects to HTTPS;
#      /metrics is closed to the outside; the health check and `pychat doctor` pass inside; the bundled TURN
#      (on by default in the image) relays with turnutils_uclient over UDP and over TCP, client to client
#      through two relays in the container, with REST credentials from the generated secret;
#   3. stop (exit code 0), start a new container on the same volume: the message and the certificate are
#      still there.
# Prints build time, image size and the time from `run` to a served page. Env: PYCHAT_CI_CACHE.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

IMAGE=localhost/pychat:ci
NAME=pychat-ci-$$
VOLUME=pychat-ci-$$
HTTPS_PORT=${CI_HTTPS_PORT:-$(free_port)}
HTTP_PORT=${CI_HTTP_PORT:-$(free_port)}
TURN_PORT=${CI_TURN_PORT:-$(free_port)}
STATE=$(mktemp)
CHECK="node $REPO/scripts/ci/chat-check.mjs"
URL=https://127.0.0.1:$HTTPS_PORT

base_image
# Docker opens ports below 1024 to non-root processes in containers (net.ipv4.ip_unprivileged_port_start=0);
# podman 4.3 does not. Give this private podman Docker's default, so the documented run command is run as is.
grep -q ip_unprivileged_port_start "$CONTAINERS_CONF" ||
  sed -i 's/^\[containers\]$/[containers]\ndefault_sysctls = ["net.ipv4.ip_unprivileged_port_start=0"]/' "$CONTAINERS_CONF"

# podman 4.3 runs HEALTHCHECKs from systemd timers; without systemd it logs an error per run/stop and carries
# on (the check itself works: `podman healthcheck run`). Hide that one message.
podman_q() { podman "$@" 2> >(grep -v 'unable to get systemd connection' >&2); }

cleanup() {
  podman rm -f -t 0 "$NAME" >/dev/null 2>&1 || true
  wait 2>/dev/null || true
  podman volume rm -f "$VOLUME" >/dev/null 2>&1 || true
  rm -f "$STATE"
}
trap cleanup EXIT

log "podman build docker/Dockerfile"
started=$(date +%s%N)
podman build --pull=never --format docker -f "$REPO/docker/Dockerfile" -t "$IMAGE" "$REPO" >"$CACHE/image-build.log" 2>&1 ||
  { tail -40 "$CACHE/image-build.log" >&2; die "podman build"; }
build_s=$(seconds_since "$started")
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
log "built in ${build_s}s; image $((size / 1000000)) MB"

# The image is what the Dockerfile promises.
config=$(podman image inspect "$IMAGE")
node -e '
  const [{ Config: c, Healthcheck: healthcheck }] = JSON.parse(process.argv[1]);
  const want = (ok, what) => { if (!ok) { console.error("FAIL: image " + what + ": " + JSON.stringify(c)); process.exit(1); } };
  want(c.User === "node", "runs as user node");
  want(c.Volumes && "/data" in c.Volumes, "declares VOLUME /data");
  want(c.ExposedPorts && "443/tcp" in c.ExposedPorts && "3478/udp" in c.ExposedPorts && "3478/tcp" in c.ExposedPorts,
    "exposes 443 and 3478 udp+tcp");
  want(healthcheck && healthcheck.Test.join(" ").includes("healthcheck"), "has a HEALTHCHECK (needs --format docker)");
' "$config"

run() {
  # The documented command, with the ports on loopback only. slirp4netns: no iptables rules on the host.
  podman_q run -d --name "$NAME" --network slirp4netns \
    -p "127.0.0.1:$HTTPS_PORT:443" -p "127.0.0.1:$TURN_PORT:3478/udp" -p "127.0.0.1:$TURN_PORT:3478/tcp" \
    -p "127.0.0.1:$HTTP_PORT:80" \
    -v "$VOLUME:/data" "$IMAGE" >/dev/null
}

log "podman run (first start on an empty volume)"
started=$(date +%s%N)
run
$CHECK wait "$URL" 60 || { podman logs "$NAME" >&2; die "the container did not come up"; }
live_s=$(seconds_since "$started")
$CHECK page "$URL"
page_s=$(seconds_since "$started")
log "run → live ${live_s}s, run → served page ${page_s}s"

$CHECK chat "$URL" "$STATE"
location=$(curl -s -o /dev/null -w '%{redirect_url}' "http://127.0.0.1:$HTTP_PORT/room/1")
[ "$location" = "https://127.0.0.1/room/1" ] || die "HTTP did not redirect to HTTPS (got '$location')"
metrics=$(curl -sk -o /dev/null -w '%{http_code}' "$URL/metrics")
[ "$metrics" = 403 ] || die "/metrics answered $metrics to a client outside the container (want 403)"
podman exec "$NAME" pychat healthcheck || die "pychat healthcheck failed inside"
podman healthcheck run "$NAME" >/dev/null 2>&1 || die "podman healthcheck run"
podman exec "$NAME" pychat doctor >"$CACHE/doctor.log" 2>&1 || { cat "$CACHE/doctor.log" >&2; die "pychat doctor inside the container"; }
podman exec "$NAME" pychat metrics-unknown >/dev/null 2>&1 && die "unknown CLI command accepted"
inner_metrics=$(podman exec "$NAME" node -e '
  require("https").get("https://127.0.0.1/metrics", { rejectUnauthorized: false }, (r) => {
    let t = ""; r.on("data", (c) => (t += c)); r.on("end", () => console.log(r.statusCode + " " + (t.match(/^pychat_messages_total \d+$/m) || ["-"])[0]));
  });')
[[ "$inner_metrics" == "200 pychat_messages_total 1" ]] || die "/metrics from inside: $inner_metrics"
# TURN: both clients on this host, both relays in the container (relay to relay stays inside it), so no
# PYCHAT_TURN_EXTERNAL_IP is needed on loopback.
need turnutils_uclient:coturn
turn_secret=$(podman exec "$NAME" cat /data/turn-secret) || die "no /data/turn-secret in the container"
turn_user="$(($(date +%s) + 600)):1"
turn_pass=$(printf %s "$turn_user" | openssl dgst -sha1 -hmac "$turn_secret" -binary | base64)
for transport in udp tcp; do
  flags=(-y -c -n 10 -m 1)
  [ "$transport" = tcp ] && flags+=(-t)
  turn_out=$(timeout 30 turnutils_uclient "${flags[@]}" -u "$turn_user" -w "$turn_pass" -p "$TURN_PORT" 127.0.0.1 2>&1) || true
  grep -q 'Total lost packets 0 ' <<<"$turn_out" || { tail -5 <<<"$turn_out" >&2; die "TURN over $transport in the container"; }
done
log "TURN relays over UDP and TCP"
fingerprint=$(echo | openssl s_client -connect "127.0.0.1:$HTTPS_PORT" 2>/dev/null | openssl x509 -noout -fingerprint -sha256)

log "podman stop"
podman_q stop -t 15 "$NAME" >/dev/null
code=$(podman inspect --format '{{.State.ExitCode}}' "$NAME")
[ "$code" = 0 ] || { podman logs "$NAME" | tail -20 >&2; die "exit code $code after SIGTERM (want 0)"; }
podman_q rm "$NAME" >/dev/null

log "podman run again on the same volume"
run
$CHECK wait "$URL" 60 || { podman logs "$NAME" >&2; die "the container did not come back"; }
$CHECK read "$URL" "$STATE"
again=$(echo | openssl s_client -connect "127.0.0.1:$HTTPS_PORT" 2>/dev/null | openssl x509 -noout -fingerprint -sha256)
[ "$fingerprint" = "$again" ] || die "the certificate changed across restarts ($fingerprint / $again)"
podman_q stop -t 15 "$NAME" >/dev/null
# Keep the cache bounded: drop untagged images (old builds) an hour after they were made; layers that later
# builds still use have children and stay.
podman image prune -f --filter until=1h >/dev/null 2>&1 || true

echo "image: OK; build ${build_s}s, size $((size / 1000000)) MB, run → page ${page_s}s"
