#!/usr/bin/env bash
# `make bench-accounts`: a tenant's create latency through the API with quotas and usage metering both on vs both
# off. Two services run side by side on the rig (scripts/test-env.sh: its dockerd, etcd and GPU stand-in), each on its
# own etcd prefix and with its own admin token; on the first the tenant has a quota of its own (so every create reads
# and moves its counts in the commit) and every create opens a usage interval in the same transaction; the second runs
# with gda.quota.enabled=false and gda.usage.enabled=false. Creates (1 GPU, no ports) alternate between them, each
# followed by a delete, so load on this machine weighs on both alike. Appends the medians and their ratio
# (goal <= 1.05) to docs/benchmarks.md. Settings: GDA_BENCH_REPS (15), GDA_BENCH_PORT (48992; the second the next).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${GDA_BENCH_REPS:-15}
PORT=${GDA_BENCH_PORT:-48992}
ADMIN=bench-accounts-admin-token-0123456789
JAR=target/gpu-docker-api.jar
OUT=docs/benchmarks.md
WORK=$(mktemp -d /tmp/gda-bench-accounts.XXXXXX)
PIDS=()

log() { echo "bench-accounts: $*" >&2; }
now() { date +%s.%N; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

call() { # base token method path [json] -> data; fails on a non-200 envelope
  local out
  out=$(curl -s -X "$3" -H "Authorization: Bearer $2" -H 'Content-Type: application/json' ${5:+-d "$5"} "$1/api/v1$4")
  if [ "$(jq -r .code <<<"$out")" != 200 ]; then log "$3 $4 failed: $out"; exit 1; fi
  jq -c .data <<<"$out"
}

cleanup() {
  set +e
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  [ -n "${GDA_ETCD_ENDPOINTS:-}" ] && for p in /gda-bench-accounts-on /gda-bench-accounts-off; do
    ETCDCTL_API=3 etcdctl --endpoints "$GDA_ETCD_ENDPOINTS" del --prefix "$p/" >/dev/null 2>&1; done
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

start() { # port prefix enabled
  java -jar "$JAR" --gda.auth.admin-token=$ADMIN -a "127.0.0.1:$1" -e "$GDA_ETCD_ENDPOINTS" -p 48950-48959 \
    --gda.etcd.prefix="$2" --gda.docker.host="$GDA_DOCKER_HOST" --gda.gpu.nvidia-smi="$GDA_GPU_NVIDIA_SMI" \
    --gda.usage.enabled="$3" --gda.quota.enabled="$3" --gda.state-dir="$WORK/state$1" > "$WORK/service$1.log" 2>&1 &
  PIDS+=($!)
}
start "$PORT" /gda-bench-accounts-off false
start $((PORT + 1)) /gda-bench-accounts-on true
for p in "$PORT" $((PORT + 1)); do
  for _ in $(seq 1 240); do curl -s "http://127.0.0.1:$p/ping" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -s "http://127.0.0.1:$p/ping" >/dev/null || { log "the service on $p did not start"; tail -20 "$WORK/service$p.log" >&2; exit 1; }
done

OFF_BASE=http://127.0.0.1:$PORT
ON_BASE=http://127.0.0.1:$((PORT + 1))
OFF_TOKEN=$(call "$OFF_BASE" $ADMIN POST /tokens '{"name":"benchacct"}' | jq -r .token)
ON_TOKEN=$(call "$ON_BASE" $ADMIN POST /tokens '{"name":"benchacct"}' | jq -r .token)
call "$ON_BASE" $ADMIN PUT /tenants/benchacct/quota '{"gpus":8,"instances":8,"volumes":8}' >/dev/null

timed_create() { # base token name -> seconds
  local a b
  a=$(now)
  call "$1" "$2" POST /replicaSet "{\"imageName\":\"$GDA_TEST_IMAGE\",\"replicaSetName\":\"$3\",\"gpuCount\":1,\"cmd\":[\"sleep\",\"100000\"]}" >/dev/null
  b=$(now)
  call "$1" "$2" DELETE "/replicaSet/$3" >/dev/null
  awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b - a }'
}
OFF=""
ON=""
for i in $(seq 0 "$REPS"); do
  # alternate which goes first; round 0 warms both up
  if [ $((i % 2)) = 0 ]; then
    on=$(timed_create "$ON_BASE" "$ON_TOKEN" "benchon$i"); off=$(timed_create "$OFF_BASE" "$OFF_TOKEN" "benchoff$i")
  else
    off=$(timed_create "$OFF_BASE" "$OFF_TOKEN" "benchoff$i"); on=$(timed_create "$ON_BASE" "$ON_TOKEN" "benchon$i")
  fi
  [ "$i" = 0 ] && continue
  OFF="$OFF $off"; ON="$ON $on"
  log "round $i: off $off s, on $on s"
done
M_OFF=$(echo "$OFF" | median)
M_ON=$(echo "$ON" | median)
{
  echo
  echo "## A tenant's create with quotas and metering on vs off — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: \`scripts/bench-accounts.sh\` (\`make bench-accounts\`). $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end;"
  echo "POST /api/v1/replicaSet by a tenant (1 GPU, no ports) on the rig's dockerd, $REPS creates each, alternating, each deleted after."
  echo
  echo "| | runs (s) | median (s) |"
  echo "|---|---|---|"
  echo "| quotas and metering off |$OFF | $M_OFF |"
  echo "| quotas and metering on |$ON | $M_ON |"
  echo
  echo "Ratio of the medians (on/off): **$(awk -v a="$M_ON" -v b="$M_OFF" 'BEGIN { printf "%.3f", a / b }')** (goal <= 1.05)."
} >> "$OUT"
log "appended to $OUT"
