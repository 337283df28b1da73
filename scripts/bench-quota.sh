#!/usr/bin/env bash
# `make bench-quota`: what the quota check costs a create. One tenant, 20 sequential creates (1 GPU, each deleted
# again before the next, only the create timed) against a service with quotas on (the tenant has a quota of its own,
# so every create reads and moves its counts in the commit) and then against the same service with
# --gda.quota.enabled=false; prints the median and the quartiles of each. Settings: GDA_BENCH_REPS (20),
# GDA_BENCH_PORT (48981); the rig is scripts/test-env.sh's (GDA_TEST_DIR and the rest, as for make test).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${GDA_BENCH_REPS:-20}
PORT=${GDA_BENCH_PORT:-48981}
BASE=http://127.0.0.1:$PORT
JAR=target/gpu-docker-api.jar
WORK=$(mktemp -d /tmp/gda-bench-quota.XXXXXX)
PREFIX=/gda-bench-quota
ADMIN=bench-quota-admin-token-0123456789
SERVICE_PID=

log() { echo "bench-quota: $*" >&2; }
median() { sort -n | awk '{ v[NR] = $1 } END { printf "median %.3f s (quartiles %.3f-%.3f s, n=%d)\n", v[int((NR + 1) / 2)], v[int((NR + 3) / 4)], v[int((3 * NR + 3) / 4)], NR }'; }

call() { # token method path [json] -> envelope
  curl -s -X "$2" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' ${4:+-d "$4"} "$BASE/api/v1$3"
}

stop_service() {
  if [ -n "$SERVICE_PID" ]; then kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true; SERVICE_PID=; fi
}

cleanup() {
  set +e
  stop_service
  [ -n "${GDA_ETCD_ENDPOINTS:-}" ] && ETCDCTL_API=3 etcdctl --endpoints "$GDA_ETCD_ENDPOINTS" del --prefix "$PREFIX/" >/dev/null 2>&1
  ids=$(docker ps -aq --filter "label=io.gpudocker.owner=$PREFIX" 2>/dev/null); [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1
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

start_service() { # extra flags
  java -jar "$JAR" -a "127.0.0.1:$PORT" -e "$GDA_ETCD_ENDPOINTS" -p 48950-48979 --gda.auth.admin-token=$ADMIN \
    --gda.etcd.prefix=$PREFIX --gda.docker.host="$GDA_DOCKER_HOST" --gda.gpu.nvidia-smi="$GDA_GPU_NVIDIA_SMI" \
    --gda.state-dir="$WORK/state" "$@" > "$WORK/service.log" 2>&1 &
  SERVICE_PID=$!
  for _ in $(seq 1 360); do curl -s "$BASE/ping" >/dev/null 2>&1 && return; sleep 0.5; done
  log "the service did not start:"; tail -20 "$WORK/service.log" >&2; exit 1
}

run() { # label
  local token t out i
  token=$(cat "$WORK/token")
  for i in $(seq 1 "$REPS"); do
    t=$(curl -s -o "$WORK/out" -w '%{time_total}' -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d "{\"imageName\":\"$GDA_TEST_IMAGE\",\"replicaSetName\":\"benchq$i\",\"gpuCount\":1,\"cmd\":[\"sleep\",\"2147483647\"]}" "$BASE/api/v1/replicaSet")
    [ "$(jq -r .code "$WORK/out")" = 200 ] || { log "create failed: $(cat "$WORK/out")"; exit 1; }
    echo "$t" >> "$WORK/$1"
    out=$(call "$token" DELETE "/replicaSet/benchq$i")
    [ "$(jq -r .code <<<"$out")" = 200 ] || { log "delete failed: $out"; exit 1; }
  done
  echo "quotas $1: $(median < "$WORK/$1")"
}

start_service
call $ADMIN POST /tokens '{"name":"benchq"}' | jq -r .data.token > "$WORK/token"
call $ADMIN PUT /tenants/benchq/quota '{"gpus":8,"instances":8,"volumes":8}' | jq -e '.code == 200' >/dev/null
call "$(cat "$WORK/token")" POST /replicaSet "{\"imageName\":\"$GDA_TEST_IMAGE\",\"replicaSetName\":\"benchwarm\",\"gpuCount\":1,\"cmd\":[\"true\"]}" >/dev/null
call $ADMIN DELETE /replicaSet/benchwarm >/dev/null
run on
stop_service
start_service --gda.quota.enabled=false
run off
