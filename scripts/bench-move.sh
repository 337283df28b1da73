#!/usr/bin/env bash
# Benchmark of moving an instance between nodes, written to docs/benchmarks.md (section "Move"): two nodes on one etcd
# prefix (node a on the rig's Docker engine, node b on its second engine, as MoveIT starts them), one instance on a with
# SIZE_MIB of its own changes in the system disk and SIZE_MIB in a bound volume, moved a -> b through the API, against
# `tar | tar` of the same two trees (the stopped container's upper dir, the volume's data) from a's data root into a
# fresh directory on b's (goal: move / tar <= 1.3). Also reports the instance's downtime (its stop on a to its start
# on b) as the service measured it. REPS moves, alternating a -> b and b -> a, each after a sync, each timed against a
# tar | tar of the same trees right before it. The baseline is also timed until its copy is on disk (`sync -f` on the
# target's filesystem), as a move answers only once its copy is: a second ratio against that.
# Env: SIZE_MIB, REPS, GDA_BENCH_OUT (the file written to), GDA_BENCH_JAVA_OPTS (both nodes' JVM options), GDA_BENCH_PORT (node a's HTTP port, b's is the next), GDA_BENCH_NODE_PORTS (the nodes' host port
# range), GDA_BENCH_JAR (the jar to run), and the rig's GDA_TEST_* (scripts/test-env.sh), so two rigs can run it at once.
# Uses the rig when it is up (scripts/test-env.sh), else brings it up and takes it down again afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${SIZE_MIB:-1024}
REPS=${REPS:-3}
PORT_A=${GDA_BENCH_PORT:-2402}
PORT_B=$((PORT_A + 1))
PREFIX=/gpu-docker-api-bench-move
OUT=${GDA_BENCH_OUT:-docs/benchmarks.md}
RS=benchmove
VOL=benchmovedata
JAR=${GDA_BENCH_JAR:-target/gpu-docker-api.jar}
NODE_PORTS=${GDA_BENCH_NODE_PORTS:-48000-48499}
DIR=${GDA_TEST_DIR:-/tmp/gda-test}

rig_was_up=0
[ -f "$DIR/env" ] && rig_was_up=1
scripts/test-env.sh up
# shellcheck disable=SC1091
source "$DIR/env"
[ -f "$JAR" ] || mvn -B -q -DskipTests package

work=$(mktemp -d)
token=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
pid_a=
pid_b=
cleanup() {
  curl -s -X DELETE -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT_A/api/v1/replicaSet/$RS" >/dev/null 2>&1 || true
  sleep 6 # each node removes what a move left on it once the instance is deleted (every 5 s)
  curl -s -X DELETE -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT_A/api/v1/volumes/$VOL" >/dev/null 2>&1 || true
  for pid in $pid_b $pid_a; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  ETCDCTL_API=3 etcdctl --endpoints "$GDA_ETCD_ENDPOINTS" del --prefix "$PREFIX/" >/dev/null 2>&1 || true
  rm -rf "$work" "${tar_dirs[@]:-}"
  [ "$rig_was_up" = 1 ] || scripts/test-env.sh down
}
tar_dirs=()
trap cleanup EXIT

start_node() { # name, HTTP port, Docker host, nvidia-smi
  # shellcheck disable=SC2086 # the options are words: GDA_BENCH_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/m-%p.jfr"
  java ${GDA_BENCH_JAVA_OPTS:-} -jar "$JAR" -a "127.0.0.1:$2" -e "$GDA_ETCD_ENDPOINTS" -p "$NODE_PORTS" --gda.etcd.prefix=$PREFIX \
    --gda.docker.host="$3" --gda.gpu.nvidia-smi="$4" --gda.auth.admin-token="$token" --gda.state-dir="$work/$1" \
    --gda.docker.stop-timeout=1s --node-name "$1" --advertise "http://127.0.0.1:$2" \
    --gda.node.lease-ttl=4s --gda.reconcile.period=3s --no-ssh > "$work/node-$1.log" 2>&1 &
}
await_up() { # port pid
  for _ in $(seq 1 600); do
    curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$1/api/v1/whoami" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { echo "the node on port $1 exited; its log:" >&2; cat "$work"/node-*.log >&2; exit 1; }
    sleep 0.5
  done
  echo "the node on port $1 did not come up" >&2; exit 1
}
api() { # method path [body] -> body; fails on anything but 200
  local code
  code=$(curl -s -o "$work/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      ${3:+-d "$3"} "http://127.0.0.1:$PORT_A/api/v1$2") || code="no answer"
  [ "$code" = 200 ] || { echo "$1 $2 answered $code: $(cat "$work/body" 2>/dev/null)" >&2; tail -n 20 "$work"/node-*.log >&2; exit 1; }
  cat "$work/body"
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
engine() { [ "$1" = a ] && echo "$GDA_DOCKER_HOST" || echo "$GDA_NODE2_DOCKER_HOST"; }
data_root() { DOCKER_HOST=$(engine "$1") docker info -f '{{.DockerRootDir}}'; }

start_node a "$PORT_A" "$GDA_DOCKER_HOST" "$GDA_GPU_NVIDIA_SMI"; pid_a=$!
start_node b "$PORT_B" "$GDA_NODE2_DOCKER_HOST" "$GDA_NODE2_NVIDIA_SMI"; pid_b=$!
await_up "$PORT_A" "$pid_a"
await_up "$PORT_B" "$pid_b"

api POST /volumes "{\"name\":\"$VOL\",\"node\":\"a\"}" >/dev/null
api POST /replicaSet "{\"imageName\":\"gda-test:latest\",\"replicaSetName\":\"$RS\",\"gpuCount\":1,\"node\":\"a\",\"cmd\":[\"sleep\",\"1000000\"],\"binds\":[{\"src\":\"$VOL-1\",\"dest\":\"/data\"}]}" >/dev/null
# written by docker exec, not the API's execute: writing 2 GiB may outlast the execute's time limit
DOCKER_HOST=$GDA_DOCKER_HOST docker exec "$RS-1" sh -c "head -c $((SIZE_MIB * 1048576)) /dev/urandom > /root/changes.bin && head -c $((SIZE_MIB * 1048576)) /dev/urandom > /data/volume.bin"

moves=(); tars=(); synced=(); downs=(); phases=()
from=a
for i in $(seq 1 "$REPS"); do
  to=$([ "$from" = a ] && echo b || echo a)
  detail=$(api GET "/replicaSet/$RS")
  container=$(echo "$detail" | jq -r .data.containerName)
  volume=$(api GET "/volumes/$VOL" | jq -r '"\(.data.name)-\(.data.version)"')
  upper=$(DOCKER_HOST=$(engine "$from") docker inspect -f '{{.GraphDriver.Data.UpperDir}}' "$container")
  vdata=$(DOCKER_HOST=$(engine "$from") docker volume inspect -f '{{.Mountpoint}}' "$volume")
  dest="$(data_root "$to")/bench-move-tar-$i"
  tar_dirs+=("$dest")
  mkdir -p "$dest/disk" "$dest/volume"
  sync
  t0=$(now)
  tar --numeric-owner --xattrs --xattrs-include='*' -C "$upper" -cf - . | tar --numeric-owner --xattrs --xattrs-include='*' -C "$dest/disk" -xpf -
  tar --numeric-owner --xattrs --xattrs-include='*' -C "$vdata" -cf - . | tar --numeric-owner --xattrs --xattrs-include='*' -C "$dest/volume" -xpf -
  tars+=("$(elapsed "$t0" "$(now)")")
  sync -f "$dest"
  synced+=("$(elapsed "$t0" "$(now)")")
  rm -rf "$dest"
  sync
  t0=$(now)
  answer=$(api POST "/replicaSet/$RS/move" "{\"node\":\"$to\"}")
  moves+=("$(elapsed "$t0" "$(now)")")
  downs+=("$(echo "$answer" | jq -r '.data.downtimeMillis / 1000')")
  phases+=("$(echo "$answer" | jq -c '.data.phaseMillis // {}' | tr -d '"{}' | sed 's/,/, /g')")
  echo "move $i $from -> $to: ${moves[-1]} s (down ${downs[-1]} s; phases in ms: ${phases[-1]}), tar | tar ${tars[-1]} s (on disk ${synced[-1]} s)"
  from=$to
done
move_med=$(echo "${moves[*]}" | median)
tar_med=$(echo "${tars[*]}" | median)
synced_med=$(echo "${synced[*]}" | median)
down_med=$(echo "${downs[*]}" | median)
ratio=$(awk -v a="$move_med" -v b="$tar_med" 'BEGIN { printf "%.2f", a / b }')
ratio_synced=$(awk -v a="$move_med" -v b="$synced_med" 'BEGIN { printf "%.2f", a / b }')
load=$(uptime | sed 's/.*load average: //')

machine="$(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB RAM, $(uname -r), data roots on $(stat -f -c %T "$DIR/docker") ($DIR/docker and $DIR/node2/docker, one disk)"
{
  echo
  echo "## Move between nodes — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $machine; load average at the end: $load. Command: \`make bench-move\` (scripts/bench-move.sh)."
  echo "An instance with $SIZE_MIB MiB of own changes in its system disk and $SIZE_MIB MiB in its volume, moved $REPS times"
  echo "between node a and node b (both on this host, each with its own dockerd and data root); each move against"
  echo "\`tar | tar\` of the same two trees from one data root into the other, right before it. Seconds."
  echo
  echo "| case | runs (s) | median (s) | ratio | goal |"
  echo "|---|---|---|---|---|"
  echo "| tar \\| tar of the upper dir and the volume's data | ${tars[*]} | $tar_med | | |"
  echo "| the same, its copy on disk (\`sync -f\`) when the clock stops | ${synced[*]} | $synced_med | | |"
  echo "| POST /replicaSet/{name}/move | ${moves[*]} | $move_med | $ratio (move/tar); $ratio_synced against the copy on disk | <= 1.3 |"
  echo "| downtime: stop on the source to running on the target | ${downs[*]} | $down_med | | |"
  echo
  echo "Phases of each move (ms, as the move's answer gives them):"
  echo
  for i in "${!phases[@]}"; do echo "- move $((i + 1)): ${phases[$i]:-not reported}"; done
} >> "$OUT"
echo "move/tar: $ratio (goal <= 1.3), $ratio_synced against tar | tar on disk; downtime median $down_med s; written to $OUT"
