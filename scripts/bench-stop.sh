#!/usr/bin/env bash
# `make bench-stop`: does an update or a pause wait for a command that ignores SIGTERM? In one run, with the
# service's default grace period (gda.docker.stop-timeout, 10 s), same 1 MiB of changes in every instance:
#   PATCH {} and pause of instances whose command ignores SIGTERM (sleep under Docker's init; sleep as PID 1
#   with "init": false; an interactive shell under the init) vs one whose command handles SIGTERM and exits
#   (goal: median ratio <= 1.2); then PATCH {} of an instance with 10 MiB of changes and where its time goes,
#   from the service's own timer gda.update.phases (per call, the difference of its sums before and after).
# Runs interleaved (one call of each instance per round, in a rotating order), so a moment of load weighs on
# all alike.
# Appends one section to docs/benchmarks.md. Settings: GDA_BENCH_REPS (5), GDA_BENCH_PORT (48980); the rig is
# scripts/test-env.sh's (GDA_TEST_DIR and the rest, as for make test).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${GDA_BENCH_REPS:-5}
PORT=${GDA_BENCH_PORT:-48980}
BASE=http://127.0.0.1:$PORT
JAR=target/gpu-docker-api.jar
OUT=docs/benchmarks.md
WORK=$(mktemp -d /tmp/gda-bench-stop.XXXXXX)
PREFIX=/gda-bench-stop
SERVICE_PID=
NAMES=(benchsleep benchpid1 benchshell benchtrap benchten)

log() { echo "bench-stop: $*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

api() { # method path [json] -> data; fails on a non-200 envelope
  local out
  out=$(curl -s -X "$1" -H 'Content-Type: application/json' ${3:+-d "$3"} "$BASE/api/v1$2")
  if [ "$(jq -r .code <<<"$out")" != 200 ]; then log "$1 $2 failed: $out"; exit 1; fi
  jq -c .data <<<"$out"
}

cleanup() {
  set +e
  for rs in "${NAMES[@]}"; do curl -s -X DELETE "$BASE/api/v1/replicaSet/$rs" >/dev/null 2>&1; done
  if [ -n "$SERVICE_PID" ]; then kill "$SERVICE_PID" 2>/dev/null; wait "$SERVICE_PID" 2>/dev/null; fi
  [ -n "${GDA_ETCD_ENDPOINTS:-}" ] && ETCDCTL_API=3 etcdctl --endpoints "$GDA_ETCD_ENDPOINTS" del --prefix "$PREFIX/" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ ! -f "$JAR" ] || [ -n "$(find src pom.xml -newer "$JAR" -print -quit)" ]; then
  log "building $JAR"
  mvn -B -q -o -DskipTests package >/dev/null 2>&1 || mvn -B -q -DskipTests package
fi
scripts/test-env.sh up
# shellcheck disable=SC1091
source "${GDA_TEST_DIR:-/tmp/gda-test}/env"
export DOCKER_HOST=$GDA_DOCKER_HOST

java -jar "$JAR" --no-auth -a "127.0.0.1:$PORT" -e "$GDA_ETCD_ENDPOINTS" -p 48900-48949 \
  --gda.etcd.prefix=$PREFIX --gda.docker.host="$GDA_DOCKER_HOST" --gda.gpu.nvidia-smi="$GDA_GPU_NVIDIA_SMI" \
  --gda.history.keep=2 --gda.state-dir="$WORK/state" > "$WORK/service.log" 2>&1 &
SERVICE_PID=$!
for _ in $(seq 1 120); do curl -s "$BASE/ping" >/dev/null 2>&1 && break; sleep 0.5; done
curl -s "$BASE/ping" >/dev/null || { log "the service did not start:"; tail -20 "$WORK/service.log" >&2; exit 1; }


create() { # name init cmd-json
  api POST /replicaSet "{\"imageName\":\"$GDA_TEST_IMAGE\",\"replicaSetName\":\"$1\",\"gpuCount\":1,\"init\":$2,\"cmd\":$3}" >/dev/null
}
changes() { # name MiB
  api POST "/replicaSet/$1/execute" "{\"cmd\":[\"sh\",\"-c\",\"head -c $(($2 * 1048576)) /dev/urandom > /root/changes\"]}" >/dev/null
}
timed() { # method path [json] -> seconds
  local a; a=$(now); api "$@" >/dev/null; elapsed "$a" "$(now)"
}
settle() { sync; sleep 1; }

log "instances: 1 MiB of changes each"
create benchsleep true '["sleep","2147483647"]'
create benchpid1 false '["sleep","2147483647"]'
create benchshell true '["sh"]'
create benchtrap true '["sh","-c","trap \"exit 0\" TERM; while true; do sleep 1 & wait $!; done"]'
for rs in benchsleep benchpid1 benchshell benchtrap; do changes "$rs" 1; done

declare -A patch pause
CASES=(benchsleep benchpid1 benchshell benchtrap)
for i in $(seq 1 "$REPS"); do
  log "round $i of $REPS"
  # each round starts with another instance, so none always follows the same one
  for k in 0 1 2 3; do
    rs=${CASES[$(((i + k) % 4))]}
    settle
    patch[$rs]+="$(timed PATCH "/replicaSet/$rs" '{}') "
    settle
    pause[$rs]+="$(timed PATCH "/replicaSet/$rs/pause") "
    api PATCH "/replicaSet/$rs/continue" >/dev/null
  done
done

log "10 MiB of changes: PATCH {} and its phases"
create benchten true '["sleep","2147483647"]'
changes benchten 10
PHASES=(prepare create stop copy start etcd)
phase_sums() { # -> "prepare=<s> create=<s> ..." from the service's timer
  curl -s "$BASE/actuator/prometheus" | awk '/^gda_update_phases_seconds_sum/ {
    match($0, /phase="[^"]*"/); p = substr($0, RSTART + 7, RLENGTH - 8); print p "=" $NF }'
}
declare -A phase_runs
ten=""
for i in $(seq 1 "$REPS"); do
  settle
  before=$(phase_sums)
  ten+="$(timed PATCH /replicaSet/benchten '{}') "
  after=$(phase_sums)
  for p in "${PHASES[@]}"; do
    b=$(grep "^$p=" <<<"$before" | cut -d= -f2); a=$(grep "^$p=" <<<"$after" | cut -d= -f2)
    phase_runs[$p]+="$(awk -v a="${a:-0}" -v b="${b:-0}" 'BEGIN { printf "%.3f", a - b }') "
  done
done

row() { # label runs reference-median
  local m; m=$(echo "$2" | median)
  echo "| $1 | $2| $m | $([ -n "${3:-}" ] && ratio "$m" "$3") |"
}
trap_patch=$(echo "${patch[benchtrap]}" | median)
trap_pause=$(echo "${pause[benchtrap]}" | median)
machine="$(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB RAM, kernel $(uname -r), dockerd $(docker version -f '{{.Server.Version}}'), Docker data root on $(stat -f -c %T "${GDA_TEST_DIR:-/tmp/gda-test}/docker"), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
{
  echo
  echo "## Stops: commands that ignore SIGTERM vs one that handles it — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: \`make bench-stop\` (scripts/bench-stop.sh). Machine: $machine."
  echo "Grace period: the default \`gda.docker.stop-timeout\` (10 s). Every instance holds 1 MiB of its own changes;"
  echo "one call of each instance per round (in a rotating order), $REPS rounds, seconds per call. Ratio: median / median of the"
  echo "instance that handles SIGTERM (goal <= 1.2). Before this change the same PATCH {} took 10.37 s vs 0.38 s (27 times)."
  echo
  echo "| PATCH {} | runs (s) | median (s) | ratio |"
  echo "|---|---|---|---|"
  row "\`sleep 2147483647\` under Docker's init (the default)" "${patch[benchsleep]}" "$trap_patch"
  row "\`sleep 2147483647\` as PID 1 (\`\"init\": false\`)" "${patch[benchpid1]}" "$trap_patch"
  row "interactive \`sh\` under the init (ignores SIGTERM)" "${patch[benchshell]}" "$trap_patch"
  row "\`sh\` with \`trap 'exit 0' TERM\` under the init" "${patch[benchtrap]}" ""
  echo
  echo "| pause | runs (s) | median (s) | ratio |"
  echo "|---|---|---|---|"
  row "\`sleep 2147483647\` under Docker's init (the default)" "${pause[benchsleep]}" "$trap_pause"
  row "\`sleep 2147483647\` as PID 1 (\`\"init\": false\`)" "${pause[benchpid1]}" "$trap_pause"
  row "interactive \`sh\` under the init (ignores SIGTERM)" "${pause[benchshell]}" "$trap_pause"
  row "\`sh\` with \`trap 'exit 0' TERM\` under the init" "${pause[benchtrap]}" ""
  echo
  echo "PATCH {} with 10 MiB of changes (\`sleep\` under the init): $ten(median **$(echo "$ten" | median) s**). Where the time goes,"
  echo "from the service's timer \`gda.update.phases\` (seconds per call; medians need not add up to the total's):"
  echo
  echo "| phase | runs (s) | median (s) |"
  echo "|---|---|---|"
  for p in "${PHASES[@]}"; do echo "| $p | ${phase_runs[$p]}| $(echo "${phase_runs[$p]}" | median) |"; done
} >> "$OUT"
log "written to $OUT"
tail -30 "$OUT"
