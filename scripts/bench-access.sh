#!/usr/bin/env bash
# Benchmark of the SSH gateway and the port proxy, written to docs/benchmarks.md (section "Access"): one service on
# the rig, one instance of the test image serving /www with busybox httpd, then
#  1. a file of SIZE_MB (default 1024) into the instance with `scp` through the gateway vs `docker cp` (goal <= 1.5);
#  2. the same size downloaded through the port proxy vs straight from the container's address (goal <= 1.2);
#  3. the round trip of one line through `ssh host cat` (a keystroke echoed), N lines one at a time, vs the same
#     through `docker exec -i cat` (goal: median <= 5 ms).
# Each transfer is run R times (default 3), alternating; the medians are compared.
# Uses the rig when it is up (scripts/test-env.sh), else brings it up and takes it down again afterwards.
# GDA_TEST_DIR names the rig; GDA_BENCH_PORT (HTTP; the SSH port is the next one) and GDA_BENCH_PORTS (the instances'
# host ports) keep two runs on one machine apart; GDA_BENCH_JAVA_OPTS go to the service's JVM (a flight recording:
# -XX:StartFlightRecording=filename=/tmp/access.jfr).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${SIZE_MB:-1024}
R=${R:-3}
N=${N:-300}
PORT=${GDA_BENCH_PORT:-2396}
SSH_PORT=$((PORT + 1))
PREFIX=/gpu-docker-api-bench-access
OUT=${GDA_BENCH_OUT:-docs/benchmarks.md}
RS=benchaccess
JAR=${GDA_BENCH_JAR:-target/gpu-docker-api.jar}
DIR=${GDA_TEST_DIR:-/tmp/gda-test}

rig_was_up=0
[ -f "$DIR/env" ] && rig_was_up=1
scripts/test-env.sh up
# shellcheck disable=SC1091
source "$DIR/env"
export DOCKER_HOST=$GDA_DOCKER_HOST
[ -f "$JAR" ] || mvn -B -q -DskipTests package

work=$(mktemp -d)
token=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
pid=
cleanup() {
  curl -s -X DELETE -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/v1/replicaSet/$RS" >/dev/null 2>&1 || true
  curl -s -X DELETE -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/v1/keys/bench" >/dev/null 2>&1 || true
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  ETCDCTL_API=3 etcdctl --endpoints "$GDA_ETCD_ENDPOINTS" del --prefix "$PREFIX/" >/dev/null 2>&1 || true
  rm -rf "$work"
  [ "$rig_was_up" = 1 ] || scripts/test-env.sh down
}
trap cleanup EXIT

# shellcheck disable=SC2086
java ${GDA_BENCH_JAVA_OPTS:-} -jar "$JAR" -a "127.0.0.1:$PORT" -e "$GDA_ETCD_ENDPOINTS" -p "${GDA_BENCH_PORTS:-48300-48399}" --gda.etcd.prefix=$PREFIX \
  --gda.docker.host="$GDA_DOCKER_HOST" --gda.gpu.nvidia-smi="$GDA_GPU_NVIDIA_SMI" --gda.auth.admin-token="$token" \
  --gda.state-dir="$work/state" --ssh-addr "127.0.0.1:$SSH_PORT" > "$work/service.log" 2>&1 &
pid=$!
for _ in $(seq 1 360); do
  curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/v1/whoami" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { echo "the service exited; its log:" >&2; cat "$work/service.log" >&2; exit 1; }
  sleep 0.5
done

api() { # method path [body]
  curl -sf -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' ${3:+-d "$3"} "http://127.0.0.1:$PORT/api/v1$2"
}
ssh-keygen -q -t ed25519 -N '' -f "$work/id"
api POST /keys "{\"name\":\"bench\",\"publicKey\":\"$(cat "$work/id.pub")\"}" >/dev/null
api POST /replicaSet "{\"imageName\":\"$GDA_TEST_IMAGE\",\"replicaSetName\":\"$RS\",\"gpuCount\":0,\
\"cmd\":[\"sh\",\"-c\",\"mkdir -p /www && httpd -p 8080 -h /www && exec sleep 1000000\"]}" >/dev/null
container=$(docker ps --format '{{.Names}}' --filter "label=io.gpudocker.replicaset=$RS" | head -1)
address=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$container" | awk '{ print $1 }')
SSH_OPTS=(-F /dev/null -i "$work/id" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR)

seconds() { # command...: its wall time in seconds
  local start=$EPOCHREALTIME
  "$@" >/dev/null
  awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f\n", b - a }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.3f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
p90() { sort -n | awk '{ v[NR] = $1 } END { i = int(NR * 0.9); if (i < NR * 0.9) i++; printf "%.3f\n", v[i] }'; }

echo "a file of $SIZE_MB MiB"
head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom > "$work/big"
# warm-up: the first session and the first proxied request load and compile their code paths in the service's JVM
head -c 4194304 /dev/urandom > "$work/warm"
scp "${SSH_OPTS[@]}" -P "$SSH_PORT" "$work/warm" "$RS@127.0.0.1:/www/warm" >/dev/null
for _ in 1 2 3; do
  curl -sf -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/proxy/$RS/8080/warm"
done
load_before=$(uptime | sed 's/.*load average: //')

echo "upload: scp through the gateway vs docker cp, $R each"
: > "$work/scp"; : > "$work/cp"
for i in $(seq 1 "$R"); do
  seconds scp "${SSH_OPTS[@]}" -P "$SSH_PORT" "$work/big" "$RS@127.0.0.1:/tmp/scp.bin" >> "$work/scp"
  [ "$(docker exec "$container" wc -c /tmp/scp.bin | awk '{ print $1 }')" = "$((SIZE_MB * 1024 * 1024))" ] \
    || { echo "scp left a file of another size" >&2; exit 1; }
  docker exec "$container" rm -f /tmp/scp.bin
  seconds docker cp "$work/big" "$container:/tmp/cp.bin" >> "$work/cp"
  docker exec "$container" rm -f /tmp/cp.bin
done
scp_s=$(median < "$work/scp"); cp_s=$(median < "$work/cp")
ratio_up=$(awk -v a="$scp_s" -v b="$cp_s" 'BEGIN { printf "%.2f", a / b }')

echo "download: through the proxy vs straight from $address:8080, $R each"
docker cp "$work/big" "$container:/www/big"
: > "$work/proxy"; : > "$work/direct"
for i in $(seq 1 "$R"); do
  curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/proxy/$RS/8080/big" >> "$work/proxy"
  curl -sf -o /dev/null -w '%{time_total}\n' "http://$address:8080/big" >> "$work/direct"
done
proxy_s=$(median < "$work/proxy"); direct_s=$(median < "$work/direct")
ratio_down=$(awk -v a="$proxy_s" -v b="$direct_s" 'BEGIN { printf "%.2f", a / b }')

# one line written, its echo read back, N times: milliseconds per round trip
round_trips() { # command...
  local start line
  coproc ECHO { "$@"; }
  echo warm >&"${ECHO[1]}"; read -r line <&"${ECHO[0]}"
  for _ in $(seq 1 "$N"); do
    start=$EPOCHREALTIME
    echo x >&"${ECHO[1]}"
    read -r line <&"${ECHO[0]}"
    awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
  done
  exec {ECHO[1]}>&-
  wait "$ECHO_PID" 2>/dev/null || true
}
echo "keystroke round trip: $N lines through ssh cat and through docker exec -i cat"
round_trips ssh "${SSH_OPTS[@]}" -p "$SSH_PORT" "$RS@127.0.0.1" cat > "$work/rtt-ssh"
round_trips docker exec -i "$container" cat > "$work/rtt-exec"
rtt_ssh=$(median < "$work/rtt-ssh"); rtt_ssh90=$(p90 < "$work/rtt-ssh")
rtt_exec=$(median < "$work/rtt-exec"); rtt_exec90=$(p90 < "$work/rtt-exec")
load_after=$(uptime | sed 's/.*load average: //')

machine="$(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB RAM, $(uname -r), dockerd $(docker version -f '{{.Server.Version}}'), $(ssh -V 2>&1)"
{
  echo
  echo "## Access: SSH gateway and port proxy — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $machine. Command: \`make bench-access\` (scripts/bench-access.sh). One service, one instance of the"
  echo "test image; $SIZE_MB MiB of random bytes; medians of $R runs each, alternating; $N line round trips."
  echo "Load average before: $load_before; after: $load_after."
  echo
  echo "| what | through the service | baseline | ratio | goal |"
  echo "|---|---|---|---|---|"
  echo "| upload $SIZE_MB MiB (s) | scp via the gateway: $scp_s ($(paste -sd, "$work/scp")) | docker cp: $cp_s ($(paste -sd, "$work/cp")) | $ratio_up | <= 1.5 |"
  echo "| download $SIZE_MB MiB (s) | curl via /proxy: $proxy_s ($(paste -sd, "$work/proxy")) | curl to the container's address: $direct_s ($(paste -sd, "$work/direct")) | $ratio_down | <= 1.2 |"
  echo "| line round trip (ms) | ssh host cat: median $rtt_ssh, p90 $rtt_ssh90 | docker exec -i cat: median $rtt_exec, p90 $rtt_exec90 | | median <= 5 ms |"
} >> "$OUT"
echo "upload $ratio_up (goal <= 1.5), download $ratio_down (goal <= 1.2), round trip $rtt_ssh ms (goal <= 5); written to $OUT"
