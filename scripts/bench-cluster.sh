#!/usr/bin/env bash
# Benchmark of forwarding, written to docs/benchmarks.md (section "Forwarding"): two nodes on one etcd prefix
# (node a on the rig's Docker engine, node b on its second engine, as ClusterIT starts them), one instance on a,
# then N interleaved calls of GET /replicaSet/{name} and POST /replicaSet/{name}/execute `true` through the
# owner a and through the non-owner b, after W warm-up calls of each. Reports medians, p90 and the ratio
# non-owner/owner (goal for execute: <= 1.1).
# Uses the rig when it is up (scripts/test-env.sh), else brings it up and takes it down again afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200}
W=${W:-20}
PORT_A=${GDA_BENCH_PORT:-2398}
PORT_B=$((PORT_A + 1))
PREFIX=/gpu-docker-api-bench-cluster
OUT=docs/benchmarks.md
RS=benchfwd
JAR=target/gpu-docker-api.jar
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
  for pid in $pid_b $pid_a; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  ETCDCTL_API=3 etcdctl --endpoints "$GDA_ETCD_ENDPOINTS" del --prefix "$PREFIX/" >/dev/null 2>&1 || true
  rm -rf "$work"
  [ "$rig_was_up" = 1 ] || scripts/test-env.sh down
}
trap cleanup EXIT

# node name, HTTP port, host port range, Docker host, nvidia-smi
start_node() {
  java -jar "$JAR" -a "127.0.0.1:$2" -e "$GDA_ETCD_ENDPOINTS" -p "$3" --gda.etcd.prefix=$PREFIX \
    --gda.docker.host="$4" --gda.gpu.nvidia-smi="$5" --gda.auth.admin-token="$token" --gda.state-dir="$work/$1" \
    --gda.docker.stop-timeout=1s --node-name "$1" --advertise "http://127.0.0.1:$2" \
    --gda.node.lease-ttl=4s --gda.reconcile.period=3s --no-ssh > "$work/node-$1.log" 2>&1 &
}

await_up() { # port pid
  for _ in $(seq 1 360); do
    curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$1/api/v1/whoami" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { echo "the node on port $1 exited; its log:" >&2; cat "$work"/node-*.log >&2; exit 1; }
    sleep 0.5
  done
  echo "the node on port $1 did not come up" >&2; exit 1
}

# one call's seconds (curl's time_total); fails on anything but 200
call() { # port method path [body]
  local out
  out=$(curl -s -o "$work/body" -w '%{http_code} %{time_total}' -X "$2" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' ${4:+-d "$4"} "http://127.0.0.1:$1/api/v1$3")
  [ "${out%% *}" = 200 ] || { echo "$2 $3 on port $1 answered ${out%% *}: $(cat "$work/body")" >&2; exit 1; }
  echo "${out#* }"
}

EXEC_BODY='{"cmd":["true"]}'
get_a() { call "$PORT_A" GET "/replicaSet/$RS"; }
get_b() { call "$PORT_B" GET "/replicaSet/$RS"; }
exec_a() { call "$PORT_A" POST "/replicaSet/$RS/execute" "$EXEC_BODY"; }
exec_b() { call "$PORT_B" POST "/replicaSet/$RS/execute" "$EXEC_BODY"; }

# sorted seconds on stdin -> "median p90" in milliseconds
stats() {
  sort -n | awk '{ v[NR] = $1 } END {
    med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    i = int(NR * 0.9); if (i < NR * 0.9) i++
    printf "%.2f %.2f\n", med * 1000, v[i] * 1000 }'
}

start_node a "$PORT_A" 48000-48099 "$GDA_DOCKER_HOST" "$GDA_GPU_NVIDIA_SMI"
pid_a=$!
start_node b "$PORT_B" 48100-48199 "$GDA_NODE2_DOCKER_HOST" "$GDA_NODE2_NVIDIA_SMI"
pid_b=$!
await_up "$PORT_A" "$pid_a"
await_up "$PORT_B" "$pid_b"

call "$PORT_A" POST /replicaSet \
  "{\"imageName\":\"$GDA_TEST_IMAGE\",\"replicaSetName\":\"$RS\",\"gpuCount\":1,\"cmd\":[\"sleep\",\"1000000\"],\"node\":\"a\"}" >/dev/null

echo "warm-up: $W calls of each"
for _ in $(seq 1 "$W"); do get_a >/dev/null; get_b >/dev/null; exec_a >/dev/null; exec_b >/dev/null; done

echo "measuring: $N interleaved calls of each"
: > "$work/get-a"; : > "$work/get-b"; : > "$work/exec-a"; : > "$work/exec-b"
for i in $(seq 1 "$N"); do
  # the order alternates, so that neither side always runs right after the other
  if [ $((i % 2)) = 0 ]; then
    get_a >> "$work/get-a"; get_b >> "$work/get-b"; exec_a >> "$work/exec-a"; exec_b >> "$work/exec-b"
  else
    get_b >> "$work/get-b"; get_a >> "$work/get-a"; exec_b >> "$work/exec-b"; exec_a >> "$work/exec-a"
  fi
done

read -r get_a_med get_a_p90 < <(stats < "$work/get-a")
read -r get_b_med get_b_p90 < <(stats < "$work/get-b")
read -r exec_a_med exec_a_p90 < <(stats < "$work/exec-a")
read -r exec_b_med exec_b_p90 < <(stats < "$work/exec-b")
ratio_get=$(awk -v b="$get_b_med" -v a="$get_a_med" 'BEGIN { printf "%.2f", b / a }')
ratio_exec=$(awk -v b="$exec_b_med" -v a="$exec_a_med" 'BEGIN { printf "%.2f", b / a }')

machine="$(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB RAM, $(uname -r), dockerd $(DOCKER_HOST=$GDA_DOCKER_HOST docker version -f '{{.Server.Version}}')"
{
  echo
  echo "## Forwarding — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $machine. Command: \`make bench-cluster\` (scripts/bench-cluster.sh). Two nodes on this machine"
  echo "(a and b, each its own dockerd), one instance on a; $N interleaved calls of each kind after $W warm-up calls,"
  echo "through the owner a and through b, which forwards them to a. curl's total time per call, milliseconds."
  echo
  echo "| call | through | median (ms) | p90 (ms) | ratio of medians b/a | goal |"
  echo "|---|---|---|---|---|---|"
  echo "| GET /replicaSet/{name} | a (owner) | $get_a_med | $get_a_p90 | | |"
  echo "| GET /replicaSet/{name} | b (forwards) | $get_b_med | $get_b_p90 | $ratio_get | |"
  echo "| POST /replicaSet/{name}/execute \`true\` | a (owner) | $exec_a_med | $exec_a_p90 | | |"
  echo "| POST /replicaSet/{name}/execute \`true\` | b (forwards) | $exec_b_med | $exec_b_p90 | $ratio_exec | <= 1.1 |"
} >> "$OUT"
echo "non-owner/owner: get $ratio_get, execute $ratio_exec (goal <= 1.1 for execute); written to $OUT"
