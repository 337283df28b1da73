#!/usr/bin/env bash
# `make bench-create`: creates through the API against `docker run -d` of the same image on the same daemon (the
# rig's dockerd, scripts/test-env.sh). One tenant with a quota of its own creates GDA_BENCH_CONCURRENT (32) cardless
# instances at once (POST /api/v1/replicaSet, gpuCount 0, `sleep`, the service's defaults: Docker's init, hardening);
# beside it the same number of `docker run -d --init` of the same image and command at once. Each wave is timed from
# its first request to its last answer, then removed (through the API for the service's, `docker rm -f` for the
# CLI's); the two alternate which goes first. Then one create against one `docker run -d --init`, the same way.
# GDA_BENCH_ROUNDS (3) of each; the medians, their ratios (goals: concurrent <= 1.0, single <= 1.1) and the service's
# own create phases (gda.create.phases, mean per create) are appended to docs/benchmarks.md.
# Settings: GDA_BENCH_CONCURRENT, GDA_BENCH_ROUNDS, GDA_BENCH_PORT (48995), GDA_BENCH_JAR (target/gpu-docker-api.jar,
# built when older than the sources), GDA_BENCH_OUT (docs/benchmarks.md), GDA_BENCH_TITLE (a note in the heading),
# GDA_BENCH_DOCKER_HOST and GDA_BENCH_ETCD_ENDPOINTS (another daemon or etcd than the rig's first, e.g. its node 2's),
# GDA_BENCH_SERVICE_FLAGS (more flags for the service, e.g. --gda.etcd.timeout=10s on a machine too loaded for 2 s).
# Leaves nothing behind: its containers (by label), its etcd prefix and its work directory go on exit, even on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${GDA_BENCH_CONCURRENT:-32}
ROUNDS=${GDA_BENCH_ROUNDS:-3}
PORT=${GDA_BENCH_PORT:-48995}
JAR=${GDA_BENCH_JAR:-target/gpu-docker-api.jar}
OUT=${GDA_BENCH_OUT:-docs/benchmarks.md}
BASE=http://127.0.0.1:$PORT
PREFIX=/gda-bench-create
CLI_LABEL=io.gpudocker.bench=create-cli
ADMIN=bench-create-admin-token-0123456789
WORK=$(mktemp -d /tmp/gda-bench-create.XXXXXX)
SERVICE_PID=

log() { echo "bench-create: $*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

call() { # token method path [json] -> envelope
  curl -s -X "$2" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' ${4:+-d "$4"} "$BASE/api/v1$3"
}

remove_leftovers() {
  local ids
  ids=$(docker ps -aq --filter "label=io.gpudocker.owner=$PREFIX" 2>/dev/null; docker ps -aq --filter "label=$CLI_LABEL" 2>/dev/null)
  [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
}

stop_service() {
  if [ -n "$SERVICE_PID" ]; then kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true; SERVICE_PID=; fi
}

cleanup() {
  set +e
  stop_service
  remove_leftovers
  [ -n "${GDA_ETCD_ENDPOINTS:-}" ] && ETCDCTL_API=3 etcdctl --endpoints "$GDA_ETCD_ENDPOINTS" del --prefix "$PREFIX/" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ -z "${GDA_BENCH_JAR:-}" ] && { [ ! -f "$JAR" ] || [ -n "$(find src pom.xml -newer "$JAR" -print -quit)" ]; }; then
  log "building $JAR"
  mvn -B -q -o -DskipTests package >/dev/null 2>&1 || mvn -B -q -DskipTests package
fi
# a daemon named by GDA_BENCH_DOCKER_HOST is the caller's to have up; the rig is left as it is
[ -n "${GDA_BENCH_DOCKER_HOST:-}" ] || scripts/test-env.sh up
# shellcheck disable=SC1091
source "${GDA_TEST_DIR:-/tmp/gda-test}/env"
GDA_DOCKER_HOST=${GDA_BENCH_DOCKER_HOST:-$GDA_DOCKER_HOST}
GDA_ETCD_ENDPOINTS=${GDA_BENCH_ETCD_ENDPOINTS:-$GDA_ETCD_ENDPOINTS}
export DOCKER_HOST=$GDA_DOCKER_HOST
IMAGE=$GDA_TEST_IMAGE
# a run cut short earlier (killed before its trap) leaves its containers and keys: start clean
remove_leftovers
ETCDCTL_API=3 etcdctl --endpoints "$GDA_ETCD_ENDPOINTS" del --prefix "$PREFIX/" >/dev/null

java -jar "$JAR" -a "127.0.0.1:$PORT" -e "$GDA_ETCD_ENDPOINTS" -p 48960-48979 --gda.auth.admin-token=$ADMIN \
  --gda.etcd.prefix=$PREFIX --gda.docker.host="$GDA_DOCKER_HOST" --gda.gpu.nvidia-smi="$GDA_GPU_NVIDIA_SMI" \
  --gda.state-dir="$WORK/state" ${GDA_BENCH_SERVICE_FLAGS:-} > "$WORK/service.log" 2>&1 &
SERVICE_PID=$!
for _ in $(seq 1 360); do curl -s "$BASE/ping" >/dev/null 2>&1 && break; kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.5; done
curl -s "$BASE/ping" >/dev/null 2>&1 || { log "the service did not start:"; tail -20 "$WORK/service.log" >&2; exit 1; }

call $ADMIN POST /tokens '{"name":"benchc"}' | jq -r .data.token > "$WORK/token"
TOKEN=$(cat "$WORK/token")
[ -n "$TOKEN" ] && [ "$TOKEN" != null ] || { log "no tenant token"; exit 1; }
call $ADMIN PUT /tenants/benchc/quota "{\"gpus\":8,\"instances\":$((N + 8)),\"volumes\":8}" | jq -e '.code == 200' >/dev/null

create_body() { echo "{\"imageName\":\"$IMAGE\",\"replicaSetName\":\"$1\",\"gpuCount\":0,\"cmd\":[\"sleep\",\"2147483647\"]}"; }

api_wave() { # tag count -> seconds; every create must answer 200; all removed again afterwards
  local a b i pids=() name bad=0
  a=$(now)
  for i in $(seq 1 "$2"); do
    curl -s -o "$WORK/api-$1-$i" -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
      -d "$(create_body "bc$1n$i")" "$BASE/api/v1/replicaSet" &
    pids+=($!)
  done
  wait "${pids[@]}"
  b=$(now)
  for i in $(seq 1 "$2"); do
    [ "$(jq -r .code "$WORK/api-$1-$i" 2>/dev/null)" = 200 ] || { log "create bc$1n$i failed: $(cat "$WORK/api-$1-$i")"; bad=1; }
  done
  pids=()
  for i in $(seq 1 "$2"); do
    name=bc$1n$i
    curl -s -o /dev/null -X DELETE -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/replicaSet/$name" &
    pids+=($!)
  done
  wait "${pids[@]}"
  [ "$bad" = 0 ] || exit 1
  [ -z "$(docker ps -aq --filter "label=io.gpudocker.owner=$PREFIX")" ] || { log "the deletes left containers"; exit 1; }
  elapsed "$a" "$b"
}

cli_wave() { # tag count -> seconds
  local a b i ids pids=()
  a=$(now)
  for i in $(seq 1 "$2"); do
    docker run -d --init --label "$CLI_LABEL" --name "bcli$1n$i" "$IMAGE" sleep 2147483647 >/dev/null &
    pids+=($!)
  done
  wait "${pids[@]}"
  b=$(now)
  ids=$(docker ps -aq --filter "label=$CLI_LABEL")
  [ -z "$ids" ] || docker rm -f $ids >/dev/null
  elapsed "$a" "$b"
}

phase_sums() { # -> "<phase>=<sum s>=<count>" lines from the service's timer
  curl -s -H "Authorization: Bearer $ADMIN" "$BASE/actuator/prometheus" | awk '
    /^gda_create_phases_seconds_(sum|count)\{/ { match($0, /phase="[^"]*"/); p = substr($0, RSTART + 7, RLENGTH - 8); gsub(/ /, "_", p)
      if ($0 ~ /_sum\{/) s[p] = $NF; else c[p] = $NF }
    END { for (p in s) print p "=" s[p] "=" c[p] }'
}

phase_means() { # before-file after-file -> "<phase>=<mean ms>" per create in between
  awk -F= 'NR == FNR { s[$1] = $2; c[$1] = $3; next } { n = $3 - c[$1]; if (n > 0) printf "%s=%.1f\n", $1, 1000 * ($2 - s[$1]) / n }' "$1" "$2"
}

log "warming up (one create, one docker run)"
api_wave w 1 >/dev/null
cli_wave w 1 >/dev/null
UPTIME_START=$(uptime)
log "start: $UPTIME_START"

API_N=""; CLI_N=""; API_1=""; CLI_1=""
phase_sums > "$WORK/phases0"
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then c=$(cli_wave "c$r" "$N"); a=$(api_wave "c$r" "$N"); else a=$(api_wave "c$r" "$N"); c=$(cli_wave "c$r" "$N"); fi
  API_N="$API_N $a"; CLI_N="$CLI_N $c"
  log "$N at once, round $r: API $a s, docker run $c s"
done
phase_sums > "$WORK/phases1"
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then c=$(cli_wave "s$r" 1); a=$(api_wave "s$r" 1); else a=$(api_wave "s$r" 1); c=$(cli_wave "s$r" 1); fi
  API_1="$API_1 $a"; CLI_1="$CLI_1 $c"
  log "one, round $r: API $a s, docker run $c s"
done
phase_sums > "$WORK/phases2"
UPTIME_END=$(uptime)

M_API_N=$(echo "$API_N" | median); M_CLI_N=$(echo "$CLI_N" | median)
M_API_1=$(echo "$API_1" | median); M_CLI_1=$(echo "$CLI_1" | median)
RATIO_N=$(awk -v a="$M_API_N" -v b="$M_CLI_N" 'BEGIN { printf "%.2f", a / b }')
RATIO_1=$(awk -v a="$M_API_1" -v b="$M_CLI_1" 'BEGIN { printf "%.2f", a / b }')
phase_means "$WORK/phases0" "$WORK/phases1" > "$WORK/means-n"
phase_means "$WORK/phases1" "$WORK/phases2" > "$WORK/means-1"
mean_of() { awk -F= -v p="$1" '$1 == p { print $2 }' "$2"; }
{
  echo
  echo "## Create: API against \`docker run -d\` — $(date -u +%Y-%m-%dT%H:%MZ)${GDA_BENCH_TITLE:+ ($GDA_BENCH_TITLE)}"
  echo
  echo "Command: \`make bench-create\` (scripts/bench-create.sh). $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) memory;"
  echo "load average $(sed 's/.*load average: //' <<<"$UPTIME_START") at the start, $(sed 's/.*load average: //' <<<"$UPTIME_END") at the end."
  echo "Docker $(docker version --format '{{.Server.Version}}') (the rig's dockerd, storage driver $(docker info --format '{{.Driver}}')), image \`$IMAGE\`, command \`sleep\`."
  echo "API: one tenant with a quota of its own, POST /api/v1/replicaSet with gpuCount 0 (the service's defaults: Docker's init,"
  echo "hardening, labels, the intent and the record in etcd). CLI: \`docker run -d --init\` of the same image and command."
  echo "A wave is timed from its first request to its last answer; the two alternate which goes first; $ROUNDS rounds."
  echo
  echo "| | API runs (s) | API median (s) | docker run runs (s) | docker run median (s) | ratio | goal |"
  echo "|---|---|---|---|---|---|---|"
  echo "| $N at once |$API_N | $M_API_N |$CLI_N | $M_CLI_N | **$RATIO_N** | <= 1.0 |"
  echo "| one |$API_1 | $M_API_1 |$CLI_1 | $M_CLI_1 | **$RATIO_1** | <= 1.1 |"
  echo
  echo "Where a create's time goes, from the service's timer \`gda.create.phases\` (mean ms per create):"
  echo
  echo "| phase | $N at once | one |"
  echo "|---|---|---|"
  for p in validate place intent create program_check start record; do
    echo "| ${p//_/ } | $(mean_of "$p" "$WORK/means-n") | $(mean_of "$p" "$WORK/means-1") |"
  done
} >> "$OUT"
log "concurrent $M_API_N s vs $M_CLI_N s (ratio $RATIO_N), one $M_API_1 s vs $M_CLI_1 s (ratio $RATIO_1); appended to $OUT"
